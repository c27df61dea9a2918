import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGENERATE_HINT, renderJsonSchema, renderMarkdown } from './event-docs.js';
import { EVENT_TYPES, CATALOG } from './events/catalog.js';

const DOCS = resolve(import.meta.dirname, '../../docs');

function committed(name: string): string {
  try {
    return readFileSync(resolve(DOCS, name), 'utf8');
  } catch {
    return `(docs/${name} is missing)`;
  }
}

describe('generated event docs', () => {
  it('docs/events.md matches the catalog', () => {
    const fresh = renderMarkdown();
    if (committed('events.md') !== fresh) throw new Error(`docs/events.md is stale (the event catalog changed): ${REGENERATE_HINT}`);
  });

  it('docs/events.schema.json matches the catalog', () => {
    const fresh = renderJsonSchema();
    if (committed('events.schema.json') !== fresh) throw new Error(`docs/events.schema.json is stale (the event catalog changed): ${REGENERATE_HINT}`);
  });

  it('documents every event with its channel file and every field', () => {
    const markdown = renderMarkdown();
    for (const type of EVENT_TYPES) {
      expect(markdown).toContain(`### ${type}\n`);
      expect(markdown).toContain(`(\`logs/${CATALOG[type].channel}.jsonl\`)`);
      for (const name of Object.keys(CATALOG[type].fields)) expect(markdown).toContain(`| \`${name}\` |`);
    }
    const schema = JSON.parse(renderJsonSchema()) as { oneOf: { title: string; required: string[] }[] };
    expect(schema.oneOf.map((branch) => branch.title)).toEqual(EVENT_TYPES);
    expect(schema.oneOf.find((b) => b.title === 'ORDER_CONTEXT')?.required).toEqual(expect.arrayContaining(['ts', 'level', 'event_type', 'session_id', 'seq', 'qty', 'limit_px', 'attempt_start_ts']));
  });
});
