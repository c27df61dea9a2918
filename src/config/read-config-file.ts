import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { isAlias, parseDocument, visit, type Document } from 'yaml';
import type { ConfigProblem } from './config-problem.js';
import type { RawSetting } from './config-source.js';
import { fileDecimal, scalarLocator, type WrittenScalar } from './file-decimal.js';
import { findDuplicateJsonKeys } from './json-duplicate-keys.js';
import { keyLocator } from './key-locator.js';
import { findJsonSyntaxError, lineColumn } from './json-syntax.js';
import { CONFIG_KEYS, SECRET_PATHS, SECTIONS } from './schema.js';
import { closest } from './suggest.js';
import { unknownKey } from './unknown-key.js';

export interface FileSettings {
  readonly settings: readonly RawSetting[];
  readonly problems: readonly ConfigProblem[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sections with a secret key: exchange, alerts. */
const SECRET_SECTIONS: ReadonlySet<string> = new Set([...SECRET_PATHS].map((path) => path.slice(0, path.indexOf('.'))));

type Parsed = { ok: true; value: unknown; problems: ConfigProblem[] } | { ok: false; problems: ConfigProblem[] };

/** Alias expansions allowed when a YAML file is read: a config needs few, an alias bomb needs millions. */
export const MAX_YAML_ALIASES = 100;

// YAML messages that quote the file (a scalar, an escape, a tag, an alias name) are cut to their
// fixed part: a config file holds secrets, and an error must never echo one.
const YAML_ECHOES: readonly (readonly [RegExp, string])[] = [
  [/^Missing closing "quote$/, 'Missing closing double quote'],
  [/^Missing closing 'quote$/, 'Missing closing single quote'],
  [/^Invalid escape sequence\b.*$/, 'Invalid escape sequence in a double-quoted string'],
  [/^Plain value cannot start with\b.*$/, 'Plain value cannot start with a reserved character'],
  [/^Unresolved plain scalar\b.*$/, 'Unresolved plain scalar'],
  [/^Block scalar header includes extra characters\b.*$/, 'Block scalar header includes extra characters'],
  [/^Unresolved alias\b.*$/, 'Unresolved alias (the anchor must be set before the alias)'],
  [/^(Could not resolve tag|Not a valid tag|Unresolved tag|Ordered maps must not include duplicate keys|Unknown directive|Unsupported YAML version)\b.*$/, '$1'],
  [/^Verbatim tags aren't resolved\b.*$/, "Verbatim tags aren't resolved"],
  [/^The \S+ tag has no suffix$/, 'A tag has no suffix'],
  [/^Anchors and tags must be after the \S+ indicator$/, 'Anchors and tags must be after the indicator'],
  [/^Unexpected (?!\w+ token$|\w+ at node end$|, in )\S+ in (.*)$/, 'Unexpected character in $1'],
  [/^Unexpected (?!\w+ token$|\w+ at node end$|, in )\S+$/, 'Unexpected character'],
  [/^Source contains multiple documents.*$/, 'the file holds more than one document (a second ---); a config file is one document'],
];

function yamlReason(message: string): string {
  let reason = (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  for (const [echo, fixed] of YAML_ECHOES) reason = reason.replace(echo, fixed);
  // Whatever else may quote the file: no quoted text is shown.
  return reason.replace(/"[^"]*"?|'[^']*'?/g, '"…"');
}

/** Where the first alias without an anchor before it is, for the error's position. */
function unresolvedAlias(doc: Document): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (isAlias(node) && node.resolve(doc) === undefined) {
        at = node.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return at;
}

function parseText(file: string, withBom: string): Parsed {
  // A byte order mark (editors on Windows save one) is not part of the text: YAML skips it, JSON.parse would refuse it.
  const text = withBom.charCodeAt(0) === 0xfeff ? withBom.slice(1) : withBom;
  if (extname(file).toLowerCase() === '.json') {
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      // JSON.parse's message quotes the text around the error, which may be a secret: the position
      // and what was expected come from our own scan of the text instead.
      const found = findJsonSyntaxError(text);
      if (!found) return { ok: false, problems: [{ code: 'file_syntax', file, reason: 'invalid JSON' }] };
      const end = found.offset >= text.length ? ' (the file ends first)' : '';
      return { ok: false, problems: [{ code: 'file_syntax', file, reason: `invalid JSON: expected ${found.expected}${end}`, ...lineColumn(text, found.offset) }] };
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
    return { ok: false, problems: [{ code: 'file_syntax', file, reason: `invalid YAML: ${yamlReason(first.message) || first.code}`, ...(pos ? { line: pos.line, column: pos.col } : {}) }] };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown, problems: [] };
  } catch (error) {
    // An alias with no anchor before it, or one expanding past the bound (an alias bomb), throws
    // from toJS: a problem with the file like any other, not a crash.
    if (/excessive alias count/i.test((error as Error).message)) {
      return { ok: false, problems: [{ code: 'file_syntax', file, reason: `invalid YAML: aliases expand beyond the limit of ${MAX_YAML_ALIASES} (an alias bomb?); write the values out` }] };
    }
    const at = unresolvedAlias(doc);
    return { ok: false, problems: [{ code: 'file_syntax', file, reason: `invalid YAML: ${yamlReason((error as Error).message)}`, ...(at === undefined ? {} : lineColumn(text, at)) }] };
  }
}

/**
 * How a number that is not finite was written: JSON.parse reads `1e309` as Infinity (and YAML
 * `.inf`, `.nan` as Infinity, NaN), which an error must not show as `null` or as a word the file
 * does not say. `written` is how the file wrote it; the value itself is the fallback.
 */
function writtenNumber(written: WrittenScalar | undefined, value: number): string {
  const source = written?.source.trim() ?? '';
  if (source === '' || source === String(value)) return String(value);
  // Digits that read as Infinity overflowed; a word (.inf, .nan) just means it.
  return /\d/.test(source) ? `${source} (too large for a number: it reads as ${String(value)})` : `${source} (${String(value)})`;
}

/** Whether nothing but blanks follows the line at `offset`: the file ends there. */
function cutShortAfter(text: string, offset: number): boolean {
  const lineEnd = text.indexOf('\n', offset);
  return lineEnd === -1 || text.slice(lineEnd).trim() === '';
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
  // Nothing at all (0 bytes, only comments, `---`, `null`, `~`) is refused, not read as "all the
  // defaults": a deploy that truncated or failed to render the file would otherwise start with
  // trading on. A file meant to change nothing says `{}`.
  if (parsed.value === null || parsed.value === undefined) return { settings: [], problems: [...parsed.problems, { code: 'empty_file', file }] };
  const root = parsed.value;
  const source = { kind: 'file', file } as const;
  if (!isPlainObject(root)) {
    return { settings: [], problems: [...parsed.problems, { code: 'file_syntax', file, reason: `expected a mapping of sections (trading, execution, ...), got ${Array.isArray(root) ? 'a list' : typeof root}` }] };
  }
  const settings: RawSetting[] = [];
  const problems: ConfigProblem[] = [...parsed.problems];
  // The BOM is not part of the text, so positions count from after it.
  const unmarked = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const written = scalarLocator(unmarked);
  const keyAt = keyLocator(unmarked);
  const at = (offset: number | undefined) => (offset === undefined ? {} : lineColumn(unmarked, offset));
  for (const [section, body] of Object.entries(root)) {
    if (!Object.hasOwn(SECTIONS, section)) {
      const suggestion = closest(section, Object.keys(SECTIONS));
      problems.push({ code: 'unknown_key', path: section, source, ...(suggestion ? { suggestion } : {}) });
      continue;
    }
    if (body === null || body === undefined) {
      // `trading:` with nothing beneath it, at the end of the file: keys lost (a file cut short),
      // not a choice. One followed by comments or other sections is a template's section left
      // empty on purpose (`exchange:` above its credentials commented out): the defaults.
      const header = keyAt(section);
      if (header === undefined || cutShortAfter(unmarked, header)) problems.push({ code: 'no_value', file, path: section, ...at(header) });
      continue;
    }
    if (!isPlainObject(body)) {
      // A section holding a secret key may hold the secret itself where its mapping should be
      // (`exchange: "api_key: ..."`): its text is not shown, only what it is.
      const hidden = SECRET_SECTIONS.has(section) && typeof body !== 'number' && typeof body !== 'boolean';
      const written = Array.isArray(body) ? 'a list' : `a ${typeof body}`;
      problems.push({ code: 'invalid_value', path: section, expected: `a mapping of ${section} keys`, given: hidden ? '[REDACTED]' : body, source, ...(hidden ? { written } : {}) });
      continue;
    }
    for (const [name, raw] of Object.entries(body)) {
      const path = `${section}.${name}`;
      if (!CONFIG_KEYS.has(path)) {
        problems.push(unknownKey(path, source, CONFIG_KEYS.keys()));
        continue;
      }
      if (typeof raw === 'number' && !Number.isFinite(raw)) {
        // No key takes an infinite number: refuse it here, showing it as the file wrote it.
        const key = CONFIG_KEYS.get(path);
        const expected = key?.expected ?? 'a finite number';
        if (key?.secret === true) problems.push({ code: 'invalid_value', path, expected, given: '[REDACTED]', source });
        else problems.push({ code: 'invalid_value', path, expected, given: raw, source, written: writtenNumber(written(section, name), raw) });
        continue;
      }
      if (typeof raw === 'number' && CONFIG_KEYS.get(path)?.kind === 'decimal') {
        // A float holds about 16 digits: money written as a number is read from its text.
        const scalar = written(section, name);
        const exact = fileDecimal(raw, scalar);
        if (exact.ok) settings.push({ path, raw: exact.raw, source });
        else problems.push({ code: 'file_syntax', file, reason: `${path}: ${exact.reason}`, ...(scalar ? lineColumn(unmarked, scalar.offset) : {}) });
        continue;
      }
      if (raw === null) {
        // A key with no value (`global_trading:`, JSON null) is refused: it reads as a value lost
        // (a template that rendered nothing, a line cut short), and taking the default for it
        // could mean trading on. Only a key the schema makes optional (credentials, the webhook)
        // takes null as unset, which is its default: a template leaving a credential out means that.
        const key = CONFIG_KEYS.get(path);
        if (key?.defaultText !== undefined) problems.push({ code: 'no_value', file, path, defaultText: key.defaultText, ...at(keyAt(section, name)) });
        continue;
      }
      settings.push({ path, raw, source });
    }
  }
  return { settings, problems };
}
