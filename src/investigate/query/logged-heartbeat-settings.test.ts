import { describe, expect, it } from 'vitest';
import { loggedHeartbeatSettings } from './logged-heartbeat-settings.js';

describe('loggedHeartbeatSettings', () => {
  it('reads the interval, the stall multiple and the alert multiple a session logged', () => {
    const config = { runtime: { heartbeat_interval: '1m30s', stall_multiple: 4 }, alerts: { heartbeat_missing_multiple: 2.5 } };
    expect(loggedHeartbeatSettings(config)).toEqual({ intervalMs: 90_000, stallMultiple: 4, missingMultiple: 2.5 });
  });

  it('reads an interval an older session logged as a number of ms', () => {
    expect(loggedHeartbeatSettings({ runtime: { heartbeat_interval: 5000 } })).toEqual({ intervalMs: 5000 });
  });

  it('leaves out what the config does not say, or says as no config check lets through', () => {
    expect(loggedHeartbeatSettings({ runtime: { heartbeat_interval: '0s', stall_multiple: 0.5 }, alerts: { heartbeat_missing_multiple: '3' } })).toEqual({});
    expect(loggedHeartbeatSettings({ runtime: { heartbeat_interval: 'often' } })).toEqual({});
    expect(loggedHeartbeatSettings({ runtime: null, alerts: [] })).toEqual({});
    expect(loggedHeartbeatSettings('damaged')).toEqual({});
    expect(loggedHeartbeatSettings(null)).toEqual({});
  });
});
