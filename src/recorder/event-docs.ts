import { z } from 'zod';
import { CHANNELS, channelFileName } from './channels.js';
import { CATALOG, EVENT_TYPES, headerShape, type EventType } from './events/catalog.js';
import type { TraceRequirement } from './events/event-definition.js';
import { fieldKind, isOptionalField } from './events/fields.js';

/**
 * docs/events.md and docs/events.schema.json, rendered from the catalog. Pure functions, so the
 * staleness test regenerates in memory and compares; `npm run docs` writes the files.
 */
type JsonSchema = Record<string, unknown>;

export const REGENERATE_HINT = 'run `npm run docs` to regenerate docs/events.md and docs/events.schema.json';

function inner(schema: z.ZodType): z.ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType };
  return (def.type === 'optional' || def.type === 'nullable') && def.innerType ? inner(def.innerType) : schema;
}

function descriptionOf(schema: z.ZodType): string {
  return schema.description ?? inner(schema).description ?? '';
}

/** A line as read back: decimals are plain JSON numbers there. */
function lineFieldSchema(schema: z.ZodType): z.ZodType {
  if (fieldKind(schema) !== 'decimal') return schema;
  const number = z.number().describe(`${descriptionOf(schema)} (exact decimal, written as a JSON number)`);
  return isOptionalField(schema) ? number.optional() : number;
}

function eventLineSchema(type: EventType): z.ZodObject {
  const fields = Object.fromEntries(Object.entries(CATALOG[type].fields as Record<string, z.ZodType>).map(([name, schema]) => [name, lineFieldSchema(schema)]));
  return z.object({ ...headerShape, event_type: z.literal(type).describe('the catalog event type'), ...fields }).strict();
}

/** JSON Schema (2020-12) of one log line: a oneOf with one strict object per event type. */
export function renderJsonSchema(): string {
  const oneOf = EVENT_TYPES.map((type) => {
    const { $schema: _drop, ...schema } = z.toJSONSchema(eventLineSchema(type), { io: 'output' }) as JsonSchema;
    return { title: type, description: CATALOG[type].meaning, ...schema };
  });
  const document = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://tradetrace.dev/schemas/events.schema.json',
    title: 'tradetrace log line',
    description: `One line of a tradetrace JSONL log file. Generated from the event catalog; ${REGENERATE_HINT}.`,
    oneOf,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** A short human type, e.g. `array of {name, alive}`, from a field's JSON Schema. */
function typeText(schema: JsonSchema): string {
  if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[]).map((v) => `\`${String(v)}\``).join(' | ');
  if (schema['const'] !== undefined) return `\`${JSON.stringify(schema['const'])}\``;
  const union = (schema['anyOf'] ?? schema['oneOf']) as JsonSchema[] | undefined;
  if (union) return union.map(typeText).join(' | ');
  switch (schema['type']) {
    case 'array':
      return `array of ${typeText((schema['items'] as JsonSchema | undefined) ?? {})}`;
    case 'object': {
      const properties = schema['properties'] as Record<string, JsonSchema> | undefined;
      if (properties && Object.keys(properties).length > 0) return `{${Object.keys(properties).join(', ')}}`;
      const values = schema['additionalProperties'];
      return typeof values === 'object' && values !== null && Object.keys(values).length > 0 ? `object of ${typeText(values as JsonSchema)}` : 'object';
    }
    case 'integer':
      return 'integer';
    case undefined:
      return 'any JSON';
    default:
      return String(schema['type']);
  }
}

function fieldType(schema: z.ZodType): string {
  const kind = fieldKind(schema);
  if (kind === 'decimal') return 'decimal';
  if (kind === 'secret') return 'secret (always `[REDACTED]`)';
  const json = z.toJSONSchema(inner(schema), { io: 'output', unrepresentable: 'any' }) as JsonSchema;
  const text = typeText(json);
  return kind === 'text' ? `${text} (free text)` : text;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const TRACE_TEXT: Record<TraceRequirement, string> = {
  none: 'none required (decision_id / intent_id added when logged inside one)',
  decision: 'decision_id required',
  intent: 'intent_id required (and decision_id when inside a decision)',
  decision_and_intent: 'decision_id and intent_id required',
};

export function renderMarkdown(): string {
  const out: string[] = [
    '# tradetrace event reference',
    '',
    `Generated from the event catalog (\`src/recorder/events/\`) by \`scripts/generate-docs.ts\`. Do not edit by hand: ${REGENERATE_HINT}. A test fails when this file is stale. The machine-readable form is [events.schema.json](events.schema.json) (JSON Schema, one \`oneOf\` branch per event type).`,
    '',
    '## Line format',
    '',
    'One compact JSON object per line (no spaces, so `grep \'"decision_id":"dec_...\'` works), UTF-8, `\\n` terminated. Keys come in this order: the header below, then the event\'s own fields in the order listed for the event. Optional fields are left out when absent. Decimals (prices, quantities, money) are exact and written as bare JSON numbers.',
    '',
    '| key | type | description |',
    '|---|---|---|',
    ...Object.entries(headerShape).map(([key, schema]) => `| \`${key}\` | ${cell(typeText(z.toJSONSchema(inner(schema), { io: 'output' }) as JsonSchema))}${isOptionalField(schema) ? ' (optional)' : ''} | ${cell(descriptionOf(schema))} |`),
    '',
    'Strings are bounded (ids 256 chars, text 4000, with a `…[truncated N chars]` marker), keys named like secrets (api_key, secret, password, token, passphrase, private_key) and registered secret values are replaced by `[REDACTED]`, and JSON escaping keeps newlines, quotes and control characters inside the line. The replacement character U+FFFD is always written as the escape `\\ufffd`: a raw one in a line stands for bytes that are not valid UTF-8 (damaged on disk), and readers skip and report such a line like any other unreadable one (logs written before this rule could hold a raw one in a value, e.g. an exchange\'s error text: such a line now reads as unreadable, named in the skipped-lines note).',
    '',
    '## Channels',
    '',
    '| channel | file | events |',
    '|---|---|---|',
    ...CHANNELS.map((channel) => `| ${channel} | \`logs/${channelFileName(channel)}\` | ${EVENT_TYPES.filter((t) => CATALOG[t].channel === channel).map((t) => `[${t}](#${t.toLowerCase()})`).join(', ')} |`),
    '',
    'Files append across sessions and rotate by size to `<channel>.<YYYYMMDDTHHMMSSmmmZ>[_n].jsonl` (gzipped copies `.jsonl.gz` are read too, and so are files logrotate rotated: `<channel>.jsonl.<N>[.gz]`, `<channel>.jsonl-<date>[.gz]`, placed by their last write); the readers (`listLogFiles`, `readLines`) cover rotated files, oldest first.',
    '',
    '## Durability',
    '',
    '- **durable** (default): each line is one `write(2)` to a file opened `O_APPEND`, done before `emit` returns. A crash, SIGKILL included, loses nothing `emit` returned for. Concurrent writers (worker threads, processes) never interleave or tear lines.',
    '- **buffered** (opt-in, for fast backtests): lines are batched into one write per tick (`setImmediate`) or per 64 KB, and flushed synchronously before every barrier event returns (`ORDER_CONTEXT`, every audit-channel event, `FATAL`, `SHUTDOWN_*`) and at process exit. **Loss window:** on SIGKILL or power loss, lines emitted after the last barrier or flush and still in memory (at most one tick, at most 64 KB per channel) are lost; every line before the last barrier is on disk. A normal exit, an uncaught exception (`installFatalHandlers`) and `close()` lose nothing.',
    '- In either mode a SIGKILL that lands during a write may leave that write\'s last line torn at the end of its file (Linux stops a write between pages on a fatal signal). That line was never acknowledged to the caller; readers skip it and report it with its file and line number, and every line before it is whole.',
    '- A write that fails (disk full, permission denied, log directory removed) throws a `RecorderError` from `emit`; in buffered mode a failed per-tick flush keeps its lines and fails the next `emit` or `flush`.',
    '- A write a full disk cuts short (`short_write`) leaves a torn line at the end of its file. The next write to that file starts with a newline, so the fragment stays a line of its own (skipped and reported by readers) and the lines after it are whole. In buffered mode the retried flush leaves out the lines of its batch that landed whole and writes the torn one again whole.',
    '',
    '## Events',
    '',
  ];
  for (const type of EVENT_TYPES) {
    const definition = CATALOG[type];
    out.push(
      `### ${type}`,
      '',
      definition.meaning,
      '',
      `channel \`${definition.channel}\` (\`logs/${channelFileName(definition.channel)}\`) · level \`${definition.level}\` · trace ids: ${TRACE_TEXT[definition.requires]}`,
      '',
      '| field | type | required | description |',
      '|---|---|---|---|',
      ...Object.entries(definition.fields as Record<string, z.ZodType>).map(
        ([name, schema]) => `| \`${name}\` | ${cell(fieldType(schema))} | ${isOptionalField(schema) ? 'no' : 'yes'} | ${cell(descriptionOf(schema))} |`,
      ),
      '',
    );
  }
  return out.join('\n');
}
