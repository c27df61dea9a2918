import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { evaluatePastLogs } from '../evaluate-past.js';
import { Scenario, T0 } from '../fixtures/scenario.js';
import { comparedPercents } from './order-failure-rate.js';

const S1 = 'session_20251026_100000';

describe('order_failure_rate: the alert text shows the rate precisely enough that its comparison reads true', () => {
  it('101 of 201 failed against a 50% threshold reads 50.2% > 50%, not 50% > 50%', async () => {
    const s = new Scenario(tempDir('tradetrace-rate-precision-'));
    s.start(S1);
    // Alternating, failures first: only the 201st intent reaches minIntents, at 101 of 201.
    for (let i = 0; i < 201; i++) s.at(1000 + i * 10).intent(S1, `int_${String(i).padStart(16, '0')}`, i % 2 === 0 ? 'failed' : 'filled');
    const { transitions } = await evaluatePastLogs(s.logsDir, {
      options: { rules: ['order_failure_rate'], orderFailure: { threshold: 0.5, windowS: 600, minIntents: 201 } },
      nowMs: T0 + 10_000,
    });
    expect(transitions.map((t) => [t.kind, t.message])).toEqual([['fired', '101 of 201 order intents failed (50.2% > 50%) in the last 600 s; reasons: rejected x101']]);
  });

  it('the operator\'s case and a resolution just under its bound', () => {
    expect(comparedPercents(18327 / 36653, '>', 0.5)).toBe('50.001% > 50%');
    expect(comparedPercents(3999 / 10000, '<=', 0.4)).toBe('39.99% <= 40%');
    // Already distinct in whole percents: unchanged.
    expect(comparedPercents(2 / 3, '>', 0.5)).toBe('67% > 50%');
    expect(comparedPercents(0.4, '<=', 0.5 * 0.8)).toBe('40% <= 40%');
  });
});
