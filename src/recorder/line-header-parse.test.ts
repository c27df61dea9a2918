import { describe, expect, it } from 'vitest';
import { parseLineHeader } from './line-header-parse.js';

const known = (): boolean => true;
const line = (sessionId: string): string => `{"ts":"2025-10-26T10:00:00.000Z","level":"info","event_type":"LOG","session_id":"${sessionId}","seq":1,"message":"m"}`;
/** Bytes as a lenient decoder (Buffer#toString) turns them into text: invalid sequences become U+FFFD. */
const decoded = (bytes: Buffer): string => bytes.toString('utf8');

describe('parseLineHeader: bytes that are not valid UTF-8', () => {
  it('refuses a line whose bytes were damaged, as not_utf8, rather than reading a wrong value out of it', () => {
    // `\xc3\x28` (a lead byte without its continuation) inside the session id: `session_20\uFFFD(251026_100000` once decoded.
    const [before = '', after = ''] = line('session_20|251026_100000').split('|');
    const damaged = decoded(Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28]), Buffer.from(after)]));
    expect(parseLineHeader(damaged, known)).toEqual({ ok: false, error: { code: 'not_utf8', message: 'line is not valid UTF-8 (bytes damaged on disk?)' } });
  });

  it('reads U+FFFD written as the escape \\ufffd (as the recorder writes it)', () => {
    const parsed = parseLineHeader(line('session_\\ufffd'), known);
    expect(parsed.ok && parsed.value.session_id).toBe('session_\uFFFD');
  });

  it('a line torn inside a multi-byte character is reported as truncated, what it is', () => {
    const whole = Buffer.from(line('session_é'));
    const torn = decoded(whole.subarray(0, whole.indexOf(Buffer.from('é')) + 1));
    expect(parseLineHeader(torn, known)).toMatchObject({ ok: false, error: { code: 'truncated' } });
  });
});
