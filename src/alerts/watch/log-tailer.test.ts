import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import type { LineProblemReport } from '../log-replay.js';
import { LogTailer } from './log-tailer.js';

describe('LogTailer', () => {
  it('follows appends across real rotations: every line once, in order, with its file and line number', () => {
    const logs = join(tempDir('tradetrace-tail-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20251026_100000', sink: new FileSink(logs, { rotateBytes: 600 }) });
    const tailer = new LogTailer(logs, ['system']);
    expect(tailer.poll()).toEqual([]);
    const seen: number[] = [];
    for (let i = 1; i <= 60; i++) {
      recorder.emit('LOG', { message: `line ${i}` });
      // Poll at irregular moments: sometimes after a rotation happened, sometimes after several.
      if (i % 7 === 0) for (const o of tailer.poll()) seen.push(Number(String((o.line as { message?: string }).message).slice(5)));
    }
    for (const o of tailer.poll()) seen.push(Number(String((o.line as { message?: string }).message).slice(5)));
    recorder.close();
    tailer.close();
    expect(readdirSync(logs).filter((n) => n.startsWith('system.')).length).toBeGreaterThan(3);
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('waits for the rest of a line being written, and reports a corrupt line without stopping', () => {
    const logs = join(tempDir('tradetrace-tail-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20251026_100000', sink: new FileSink(logs) });
    recorder.emit('LOG', { message: 'first' });
    const problems: LineProblemReport[] = [];
    const tailer = new LogTailer(logs, ['system'], (p) => problems.push(p));
    expect(tailer.poll().map((o) => [o.lineNumber, o.line.event_type])).toEqual([[1, 'LOG']]);
    const file = join(logs, 'system.jsonl');
    appendFileSync(file, '{"ts":"2025-10-26T10:00:00.000Z","level":"info","event_type":"LOG",');
    expect(tailer.poll()).toEqual([]);
    appendFileSync(file, '"session_id":"s","seq":9,"message":"torn then completed"}\nnot json\n');
    recorder.emit('LOG', { message: 'after' });
    const got = tailer.poll();
    expect(got.map((o) => [o.lineNumber, (o.line as { message?: string }).message])).toEqual([[2, 'torn then completed'], [4, 'after']]);
    expect(problems).toEqual([{ file, lineNumber: 3, message: 'not_json: line is not JSON' }]);
    recorder.close();
    tailer.close();
  });
});
