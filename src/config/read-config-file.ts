import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import type { ConfigProblem } from './config-problem.js';
import type { RawSetting } from './config-source.js';
import { findDuplicateJsonKeys } from './json-duplicate-keys.js';
import { CONFIG_KEYS, SECTIONS } from './schema.js';
import { closest } from './suggest.js';

export interface FileSettings {
  readonly settings: readonly RawSetting[];
  readonly problems: readonly ConfigProblem[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Parsed = { ok: true; value: unknown; problems: ConfigProblem[] } | { ok: false; problems: ConfigProblem[] };

function parseText(file: string, text: string): Parsed {
  if (extname(file).toLowerCase() === '.json') {
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch (error) {
      return { ok: false, problems: [{ code: 'file_syntax', file, reason: `invalid JSON: ${(error as Error).message}` }] };
    }
    // JSON.parse keeps the last of a repeated key and drops the others without a word, so each is a
    // problem (YAML refuses them too, below); the rest of the file is still checked.
    return { ok: true, value, problems: findDuplicateJsonKeys(text).map((d) => ({ code: 'duplicate_key', file, ...d })) };
  }
  // YAML 1.2 is a superset of JSON, so any other extension is read as YAML. Duplicate keys are errors.
  const doc = parseDocument(text, { uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    return { ok: false, problems: [{ code: 'file_syntax', file, reason: `invalid YAML: ${(first.message.split('\n')[0] ?? first.code).replace(/ at line \d+, column \d+:?$/, '')}`, ...(pos ? { line: pos.line, column: pos.col } : {}) }] };
  }
  return { ok: true, value: doc.toJS() as unknown, problems: [] };
}

/**
 * Reads a JSON or YAML config file into settings, one per key. Unknown sections and keys are
 * problems, not ignored: a typo in a file must not silently leave the default in force.
 */
export function readConfigFile(file: string): FileSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { settings: [], problems: [{ code: 'file_unreadable', file, reason: code === 'ENOENT' ? 'no such file' : String((error as Error).message) }] };
  }
  const parsed = parseText(file, text);
  if (!parsed.ok) return { settings: [], problems: parsed.problems };
  const root = parsed.value ?? {};
  const source = { kind: 'file', file } as const;
  if (!isPlainObject(root)) {
    return { settings: [], problems: [...parsed.problems, { code: 'file_syntax', file, reason: `expected a mapping of sections (trading, execution, ...), got ${Array.isArray(root) ? 'a list' : typeof root}` }] };
  }
  const settings: RawSetting[] = [];
  const problems: ConfigProblem[] = [...parsed.problems];
  for (const [section, body] of Object.entries(root)) {
    if (!Object.hasOwn(SECTIONS, section)) {
      const suggestion = closest(section, Object.keys(SECTIONS));
      problems.push({ code: 'unknown_key', path: section, source, ...(suggestion ? { suggestion } : {}) });
      continue;
    }
    if (body === null || body === undefined) continue;
    if (!isPlainObject(body)) {
      problems.push({ code: 'invalid_value', path: section, expected: `a mapping of ${section} keys`, given: body, source });
      continue;
    }
    for (const [name, raw] of Object.entries(body)) {
      const path = `${section}.${name}`;
      if (!CONFIG_KEYS.has(path)) {
        const suggestion = closest(path, CONFIG_KEYS.keys());
        problems.push({ code: 'unknown_key', path, source, ...(suggestion ? { suggestion } : {}) });
        continue;
      }
      // An explicit null in a file means "use the default", as if the key were absent.
      if (raw !== null) settings.push({ path, raw, source });
    }
  }
  return { settings, problems };
}
