import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { readLines, type RawLine } from './line-reader.js';
import type { LogFile } from './log-files.js';

async function all(file: LogFile): Promise<[number, string][]> {
  const out: [number, string][] = [];
  for await (const line of readLines(file) as AsyncIterable<RawLine>) out.push([line.lineNumber, line.text]);
  return out;
}

function logFile(bytes: Buffer, gzipped = false): LogFile {
  const path = join(tempDir('tradetrace-line-reader-'), gzipped ? 'decisions.jsonl.gz' : 'decisions.jsonl');
  writeFileSync(path, gzipped ? gzipSync(bytes) : bytes);
  return { channel: 'decisions', path, gzipped, current: !gzipped };
}

describe('readLines', () => {
  it('splits at \\n only, as every other reader does: a lone \\r in garbage is no line break, a CRLF ending is dropped', async () => {
    const bytes = Buffer.from('{"ts":"a"}\r\ngar\rbage\n\n{"ts":"b"}\n{"ts":"torn');
    const expected: [number, string][] = [[1, '{"ts":"a"}'], [2, 'gar\rbage'], [4, '{"ts":"b"}'], [5, '{"ts":"torn']];
    expect(await all(logFile(bytes))).toEqual(expected);
    expect(await all(logFile(bytes, true))).toEqual(expected);
  });

  it('keeps lines whole across read chunks', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `{"ts":"${i}","pad":"${'é'.repeat(i % 97)}"}`);
    const read = await all(logFile(Buffer.from(`${lines.join('\n')}\n`)));
    expect(read.map(([, text]) => text)).toEqual(lines);
  });

  it('rejects, instead of crashing the process, when a .gz cannot be read', async () => {
    const dir = tempDir('tradetrace-line-reader-');
    const path = join(dir, 'decisions.jsonl.gz');
    mkdirSync(path);
    await expect(all({ channel: 'decisions', path, gzipped: true, current: false })).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
