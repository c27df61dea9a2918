import { describe, expect, it } from 'vitest';
import { skipSummary } from './skip-summary.js';

describe('skipSummary', () => {
  it('is one line however many lines were skipped, with the files and their first line numbers', () => {
    expect(skipSummary([])).toBe('');
    expect(skipSummary([{ path: '/d/logs/decisions.jsonl', count: 1, firstLines: [6] }])).toBe('skipped 1 unreadable line in decisions.jsonl (line 6)');
    expect(skipSummary([{ path: '/d/logs/decisions.jsonl', count: 2, firstLines: [4, 7] }])).toBe('skipped 2 unreadable lines in decisions.jsonl (lines 4, 7)');
    expect(skipSummary([{ path: '/d/logs/system.jsonl', count: 1148, firstLines: [31, 32] }, { path: '/d/logs/decisions.jsonl', count: 2, firstLines: [4, 7] }]))
      .toBe('skipped 1150 unreadable lines in system.jsonl (1148: lines 31, 32, …), decisions.jsonl (2: lines 4, 7)');
  });

  it('names at most four files', () => {
    const files = ['a', 'b', 'c', 'd', 'e', 'f'].map((c) => ({ path: `/l/${c}.jsonl`, count: 1, firstLines: [1] }));
    expect(skipSummary(files)).toBe('skipped 6 unreadable lines in a.jsonl (1: line 1), b.jsonl (1: line 1), c.jsonl (1: line 1), d.jsonl (1: line 1) and 2 more files');
  });
});
