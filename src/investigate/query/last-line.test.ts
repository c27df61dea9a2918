import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import type { LogFile } from '../../recorder/log-files.js';
import { lastLineWith, lastSessionLine } from './last-line.js';
import { openLogSet } from './log-set.js';

describe('lastSessionLine', () => {
  it('is the line the session wrote last (seq), across channels, even when the wall clock went back before it', () => {
    const dir = tempDir('tt-last-line-');
    let wall = Date.parse('2025-10-26T11:00:00.000Z');
    const recorder = new Recorder({ sessionId: 'session_20251026_110000', sink: new FileSink(join(dir, 'logs')), now: () => wall });
    recorder.emit('DASH_EVENT', { dashboard_event_type: 'INFO', message: 'before the step', source: 'src/engine/x.ts:1', timestamp: '11:00:00' });
    // NTP set the clock back an hour: SESSION_END is written last, stamped earliest.
    wall -= 3_600_000;
    recorder.emit('SESSION_END', { reason: 'duration_reached', exit_code: 0, duration_ms: 40_000 });
    recorder.close();
    const last = lastSessionLine(openLogSet(dir), 'session_20251026_110000');
    expect(last?.ts).toBe('2025-10-26T10:00:00.000Z');
    expect(last?.text).toContain('"event_type":"SESSION_END"');
    expect(last?.file).toBe(join(dir, 'logs', 'audit.jsonl'));
  });
});

describe('lastLineWith on a line far longer than any the recorder writes', () => {
  const session = 'session_20251026_120000';
  const line = (seq: number, extra = ''): string => `{"ts":"2025-10-26T12:00:0${seq}.000Z","level":"info","event_type":"DASH_EVENT","session_id":"${session}","seq":${seq}${extra}}\n`;

  it('passes over it to the line before, in time linear in its length (a 40 MB line took 8 s, growing with its square)', () => {
    const dir = tempDir('tt-last-line-long-');
    const path = join(dir, 'dashboard.jsonl');
    writeFileSync(path, line(1));
    appendFileSync(path, line(2, `,"pad":"${'x'.repeat(40 * 1024 * 1024)}"`));
    const file: LogFile = { channel: 'dashboard', path, gzipped: false, current: true };
    const started = performance.now();
    const found = lastLineWith(file, statSync(path).size, `"session_id":"${session}"`);
    const tookMs = performance.now() - started;
    expect(found).toEqual({ offset: 0, text: line(1).trimEnd() });
    expect(tookMs).toBeLessThan(4000);
  });

  it('finds a line cut across its read chunks, and not one in a torn tail', () => {
    const dir = tempDir('tt-last-line-cut-');
    const path = join(dir, 'system.jsonl');
    // The session's line, then a line of another kind so long that the needle straddles the 1 MiB
    // chunk boundary counted back from the end (10 bytes of it before the cut), then a torn line.
    const tail = line(3);
    const head = '{"ts":"2025-10-26T12:00:00.000Z","pad":"';
    const needleFromLineEnd = tail.length - tail.indexOf('"session_id"');
    const filler = `${head}${'y'.repeat(1024 * 1024 + 10 - needleFromLineEnd - head.length - 3)}"}\n`;
    writeFileSync(path, line(1) + tail + filler);
    appendFileSync(path, line(4).slice(0, 90));
    const file: LogFile = { channel: 'system', path, gzipped: false, current: true };
    const found = lastLineWith(file, statSync(path).size, `"session_id":"${session}"`);
    expect(found?.text).toBe(tail.trimEnd());
    expect(found?.offset).toBe(line(1).length);
  });
});
