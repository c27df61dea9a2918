import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnCliInOneProcess } from '../../test/support/cli.js';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { waitUntil } from '../../test/support/wait-until.js';

type Line = Record<string, unknown>;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function lines(logsDir: string, channel: string): Line[] {
  const file = join(logsDir, `${channel}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line);
}

const at = (line: Line): number => Date.parse(String(line['ts']));

interface Run {
  readonly logsDir: string;
  readonly code: number | null;
  readonly stderr: string;
  /** Wall times (Date.now) of the signals sent. */
  readonly firstStop: number;
  readonly firstResume: number;
  readonly secondStop: number;
}

/**
 * The real BTC candles replayed by the CLI at 600x (ten one-minute bars a second), stopped twice
 * with SIGSTOP: 4 s then SIGCONT (40 bars of schedule missed), then 3 s with a SIGTERM sent while
 * stopped, then SIGCONT.
 */
async function replayStoppedTwice(): Promise<Run> {
  const logsDir = join(tempDir('tt-feed-paused-'), 'data', 'logs');
  const child: ChildProcess = spawnCliInOneProcess(
    ['paper', '--data', BTC_PERP_CSV, '--set', 'trading.quote_currency=USD', '--data-dir', join(logsDir, '..'), '--speed', '600'],
    { env: { ENABLE_LIVE_DASHBOARD: 'false' } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    // Paced: the warm-up goes at full speed, so wait for decisions a second after the first one.
    await waitUntil('paced decisions', () => {
      const starts = lines(logsDir, 'decisions').filter((l) => l['event_type'] === 'DECISION_START');
      const first = starts[0];
      return first !== undefined && starts.some((l) => at(l) > at(first) + 1000);
    }, 90_000, 50);
    const firstStop = Date.now();
    child.kill('SIGSTOP');
    await sleep(4000);
    const firstResume = Date.now();
    child.kill('SIGCONT');
    await sleep(2000);
    const secondStop = Date.now();
    child.kill('SIGSTOP');
    await sleep(3000);
    child.kill('SIGTERM');
    await sleep(300);
    child.kill('SIGCONT');
    const code = await Promise.race([exited, sleep(60_000).then(() => 'hung' as const)]);
    if (code === 'hung') throw new Error(`the bot did not exit within 60 s of SIGTERM; stderr:\n${stderr}`);
    return { logsDir, code, stderr, firstStop, firstResume, secondStop };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  }
}

describe.skipIf(!sharedDataAvailable())('a paced replay stopped with SIGSTOP and resumed with SIGCONT (a real bot process)', () => {
  let run: Run;
  beforeAll(async () => {
    run = await replayStoppedTwice();
  }, 150_000);

  it('resumes at its pace: no burst through the 40 bars it missed, and says how long it was held up', () => {
    const starts = lines(run.logsDir, 'decisions').filter((l) => l['event_type'] === 'DECISION_START').map(at);
    const firstSecond = starts.filter((t) => t >= run.firstResume && t < run.firstResume + 1000);
    // Ten a second at 600x (one more for a late start); the anchored schedule decided 40 more at once.
    expect(firstSecond.length, `decisions in the first second after SIGCONT: ${firstSecond.length}`).toBeLessThanOrEqual(15);
    expect(firstSecond.length).toBeGreaterThan(0);
    const held = lines(run.logsDir, 'system').filter((l) => l['event_type'] === 'LOG' && l['component'] === 'market_data' && at(l) >= run.firstResume && at(l) < run.secondStop);
    expect(held, JSON.stringify(held)).toHaveLength(1);
    expect(held[0]?.['level']).toBe('warn');
    const data = held[0]?.['data'] as { held_ms: number; bars_behind: number };
    expect(data.held_ms).toBeGreaterThan(3500);
    expect(data.held_ms).toBeLessThan(5000);
    expect(data.bars_behind).toBeGreaterThanOrEqual(35);
    expect(String(held[0]?.['message'])).toMatch(/^the replay feed was held up [34](\.\d)? s /);
  });

  it('handles a SIGTERM sent while it was stopped before deciding another bar', () => {
    expect(run.code, run.stderr).toBe(0);
    const after = lines(run.logsDir, 'decisions').filter((l) => l['event_type'] === 'DECISION_START' && at(l) > run.secondStop);
    const timeline = [...lines(run.logsDir, 'decisions'), ...lines(run.logsDir, 'system'), ...lines(run.logsDir, 'orders')]
      .filter((l) => at(l) > run.secondStop - 300)
      .sort((a, b) => at(a) - at(b))
      .map((l) => `${String(l['ts'])} ${String(l['event_type'])} ${JSON.stringify(l['bar_ts'] ?? l['reason'] ?? l['message'] ?? '')}`);
    expect(after.map((l) => l['bar_ts']), `bars decided after the stop at ${new Date(run.secondStop).toISOString()}:\n${timeline.join('\n')}`).toEqual([]);
    const system = lines(run.logsDir, 'system');
    expect(system.find((l) => l['event_type'] === 'SHUTDOWN_REQUESTED')?.['reason']).toBe('SIGTERM');
    expect(lines(run.logsDir, 'audit').find((l) => l['event_type'] === 'SESSION_END')?.['reason']).toBe('signal');
  });
});
