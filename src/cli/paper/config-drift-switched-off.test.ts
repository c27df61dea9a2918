import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { configSchema } from '../../config/schema.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { paperAlerts } from './paper-alerts.js';

/** The rules the bot's alerts fire on this session's CONFIG_DIFF, with alerts.config_drift off in its config. */
async function firedOnDrift(changes: { path: string; from: unknown; to: unknown }[]): Promise<string[]> {
  const logsDir = join(tempDir('tradetrace-drift-off-'), 'logs');
  const recorder = new Recorder({ sessionId: 'session_20220103_100000', sink: new FileSink(logsDir) });
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const config = configSchema.parse({ alerts: { config_drift: false } });
  const result = paperAlerts({ config, recorder, logsDir, console: discard, dataDir: join(logsDir, '..'), changedPaths: changes.map((c) => c.path) });
  if (!result.ok) throw new Error(result.error.message);
  const alerts = result.value;
  alerts.start();
  recorder.emit('CONFIG_DIFF', { message: 'Config drift detected: aaaaaaaa -> bbbbbbbb', prev_hash: 'aaaaaaaaaaaaaaaa', current_hash: 'bbbbbbbbbbbbbbbb', prev_session: 'session_20220102_100000', changes });
  const fired = alerts.engine.openAlerts().map((alert) => alert.rule);
  await alerts.stop();
  recorder.close();
  return fired;
}

describe('the bot whose config change turns alerts.config_drift off', () => {
  it('still alerts on that change (and what came with it): the switch does not silence its own flip', async () => {
    expect(await firedOnDrift([{ path: 'alerts.config_drift', from: true, to: false }, { path: 'execution.slippage_bps', from: 20, to: 55 }])).toEqual(['config_drift']);
  });

  it('a session whose config_drift was already off does not alert on drift', async () => {
    expect(await firedOnDrift([{ path: 'execution.slippage_bps', from: 20, to: 55 }])).toEqual([]);
  });
});
