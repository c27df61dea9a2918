import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { parsePaperFlags } from './paper-flags.js';

/** The first line tradetrace paper writes to stderr for these flags, and its exit code. */
async function refusal(args: readonly string[]): Promise<{ code: number; line: string }> {
  let err = '';
  const stderr = new Writable({
    write(chunk: Buffer, _encoding, done) {
      err += chunk.toString();
      done();
    },
  });
  const outcome = await parsePaperFlags(args, { stdout: new Writable({ write: (_c, _e, done) => done() }), stderr, env: {}, cwd: tempDir('tradetrace-speed-') });
  if (outcome.kind !== 'exit') throw new Error('expected the flags to be refused');
  return { code: outcome.code, line: err.split('\n')[0] ?? '' };
}

describe('tradetrace paper --speed', () => {
  it.each(['-1', '-0.5'])('--speed %s says a positive number or max is expected, as the joined --speed=N does', async (value) => {
    const spaced = await refusal(['--synthetic', 'BTC/USDT', '--speed', value]);
    const joined = await refusal(['--synthetic', 'BTC/USDT', `--speed=${value}`]);
    expect(spaced).toEqual({ code: 2, line: `tradetrace paper: --speed: invalid speed "${value}": expected a positive number (1 = real time, 60 = 60x) or "max"` });
    expect(joined).toEqual(spaced);
  });

  it('with no value, or an option where its value goes, says what it expects', async () => {
    expect(await refusal(['--synthetic', 'BTC/USDT', '--speed'])).toEqual({
      code: 2,
      line: 'tradetrace paper: --speed N|max: expected a positive number (1 = real time, 60 = 60x) or max, got nothing',
    });
    expect(await refusal(['--speed', '--synthetic', 'BTC/USDT'])).toEqual({
      code: 2,
      line: 'tradetrace paper: --speed N|max: expected a positive number (1 = real time, 60 = 60x) or max, got the option --synthetic',
    });
  });

  it('a negative value of any flag that takes one reaches that flag\'s own check, not parseArgs\' "argument is ambiguous"', async () => {
    expect(await refusal(['--duration', '-5m'])).toEqual({ code: 2, line: 'tradetrace paper: --duration "-5m": expected a duration with a unit, e.g. 500ms, 90s, 5m, 2h, 1d or 1h30m' });
  });

  it('leaves other flags\' parse errors as they were', async () => {
    expect((await refusal(['--speedy', '2'])).line).toMatch(/^tradetrace paper: Unknown option '--speedy'/);
  });
});
