import { describe, expect, it } from 'vitest';
import { EngineStats } from './engine-stats.js';

describe('EngineStats: the decision the summary offers to trace', () => {
  it("never names an earlier session's decision whose position this session sold: it offers one of its own", () => {
    const stats = new EngineStats();
    stats.decision('dec_20261128_143800_000002', 'filled');
    // The exit sold a position an earlier session bought (carried over by the restart).
    stats.lastExitDecision = 'dec_20261128_143600_50f61c';
    expect(stats.interestingDecision()).toBe('dec_20261128_143800_000002');
  });

  it("prefers this session's buy whose position was also sold, over a later buy still open", () => {
    const stats = new EngineStats();
    stats.decision('dec_20261128_143800_000002', 'filled');
    stats.lastExitDecision = 'dec_20261128_143800_000002';
    stats.decision('dec_20261128_144000_000003', 'filled');
    expect(stats.interestingDecision()).toBe('dec_20261128_143800_000002');
  });
});
