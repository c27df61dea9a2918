import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigDoc } from './config-doc.js';
import { CONFIG_KEYS } from './schema.js';

const DOC = resolve(import.meta.dirname, '../../docs/config.md');

describe('docs/config.md', () => {
  it('lists every key with its env variable', () => {
    const doc = renderConfigDoc();
    for (const key of CONFIG_KEYS.values()) expect(doc).toContain(`\`TRADETRACE__${key.section.toUpperCase()}__${key.name.toUpperCase()}\``);
    expect(doc).toContain('`api_key` **secret**');
  });

  it('is up to date with the schema (UPDATE_DOCS=1 regenerates it)', () => {
    const expected = renderConfigDoc();
    if (process.env['UPDATE_DOCS'] === '1') {
      mkdirSync(dirname(DOC), { recursive: true });
      writeFileSync(DOC, expected);
    }
    expect(existsSync(DOC), `${DOC} is missing: run UPDATE_DOCS=1 npx vitest run src/config/config-doc.test.ts`).toBe(true);
    expect(readFileSync(DOC, 'utf8'), 'docs/config.md is stale: run UPDATE_DOCS=1 npx vitest run src/config/config-doc.test.ts').toBe(expected);
  });
});
