import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { faultOptions } from './paper-setup.js';

describe('faultOptions', () => {
  it('gives the paper exchange the bot\'s execution.order_timeout as its request deadline', () => {
    const loaded = loadConfig({ env: {}, sets: ['execution.order_timeout=1500ms', 'paper_exchange.latency_ms=2000'], cwd: process.cwd() });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect(faultOptions(loaded.value.config)).toMatchObject({ requestTimeoutMs: 1500, latencyMs: { min: 1000, max: 3000 } });
  });
});
