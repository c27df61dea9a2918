import { describe, expect, it } from 'vitest';
import { diffConfigs } from './drift-query.js';

const hash = (c: string): string => `sha256:${c.repeat(64)}`;

describe('drift from two logged config snapshots (no CONFIG_DIFF line)', () => {
  it('shows a changed secret only as changed, never its hash, as the bot\'s CONFIG_DIFF does', () => {
    const before = { exchange: { api_key: hash('a'), name: 'paper' }, alerts: { webhook_url: hash('c') }, trading: { max_open_positions: 1 } };
    const after = { exchange: { api_key: hash('b'), name: 'paper' }, alerts: { webhook_url: '' }, trading: { max_open_positions: 2 } };
    expect(diffConfigs(before, after)).toEqual([
      { path: 'alerts.webhook_url', from: '[changed]', to: '[changed]', secret: { from: 'set', to: 'unset' } },
      { path: 'exchange.api_key', from: '[changed]', to: '[changed]', secret: { from: 'set', to: 'set' } },
      { path: 'trading.max_open_positions', from: 1, to: 2 },
    ]);
    // An older line redacted by key name: still no value.
    expect(diffConfigs({ exchange: { api_secret: '[REDACTED]' } }, { exchange: { api_secret: hash('d') } })).toEqual([{ path: 'exchange.api_secret', from: '[changed]', to: '[changed]', secret: { from: 'set', to: 'set' } }]);
  });
});
