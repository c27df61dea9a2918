import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
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

/** The value pair of `key` in a YAML/JSON map node; the last one, as JSON.parse keeps the last of a repeated key. */
function valueOf(node: unknown, key: string): unknown {
  return isMap(node) ? node.items.findLast((pair) => isScalar(pair.key) && pair.key.value === key)?.value : undefined;
}

/**
 * How a number that is not finite was written: JSON.parse reads `1e309` as Infinity (and YAML
 * `.inf`, `.nan` as Infinity, NaN), which an error must not show as `null` or as a word the file
 * does not say. Only called on such a value, so the file is re-read as YAML (a superset of JSON)
 * for the node's source range; the value itself is the fallback.
 */
function writtenNumber(text: string, section: string, name: string, value: number): string {
  const node = valueOf(valueOf(parseDocument(text, { uniqueKeys: false }).contents, section), name);
  const source = isScalar(node) && node.range ? text.slice(node.range[0], node.range[1]).trim() : '';
  if (source === '' || source === String(value)) return String(value);
  // Digits that read as Infinity overflowed; a word (.inf, .nan) just means it.
  return /\d/.test(source) ? `${source} (too large for a number: it reads as ${String(value)})` : `${source} (${String(value)})`;
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
      if (typeof raw === 'number' && !Number.isFinite(raw)) {
        // No key takes an infinite number: refuse it here, showing it as the file wrote it.
        const key = CONFIG_KEYS.get(path);
        const expected = key?.expected ?? 'a finite number';
        if (key?.secret === true) problems.push({ code: 'invalid_value', path, expected, given: '[REDACTED]', source });
        else problems.push({ code: 'invalid_value', path, expected, given: raw, source, written: writtenNumber(text, section, name, raw) });
        continue;
      }
      // An explicit null in a file means "use the default", as if the key were absent.
      if (raw !== null) settings.push({ path, raw, source });
    }
  }
  return { settings, problems };
}
