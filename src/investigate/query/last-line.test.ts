import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { lastSessionLine } from './last-line.js';
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
