import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeOrderFailures } from './testing/incidents.js';

describe('an id pasted with a space around it, or in capitals', () => {
  const dataDir = tempDir('tt-pasted-id-');
  const facts = writeOrderFailures(dataDir);

  it('trace finds the decision, as it does the id typed', async () => {
    const typed = await runQuery(['trace', facts.filled.decisionId, '--data-dir', dataDir]);
    expect(typed.code).toBe(0);
    const pasted = await runQuery(['trace', ` ${facts.filled.decisionId.toUpperCase()}\t`, '--data-dir', dataDir]);
    expect([pasted.code, pasted.stdout]).toEqual([0, typed.stdout]);
  });

  it('orders --intent finds the intent', async () => {
    const typed = await runQuery(['orders', '--intent', facts.filled.intentId, '--data-dir', dataDir]);
    expect(typed.code).toBe(0);
    const pasted = await runQuery(['orders', '--intent', `${facts.filled.intentId.toUpperCase()} `, '--data-dir', dataDir]);
    expect([pasted.code, pasted.stdout]).toEqual([0, typed.stdout]);
  });
});
