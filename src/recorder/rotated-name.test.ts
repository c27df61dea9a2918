import { describe, expect, it } from 'vitest';
import { parseRotatedName } from './rotated-name.js';

describe('parseRotatedName', () => {
  it('reads back the names our rotation makes, plain, gzipped or being gzipped, with their time', () => {
    const at = Date.UTC(2026, 10, 27, 6, 43, 0, 123);
    expect(parseRotatedName('decisions.20261127T064300123Z.jsonl')).toEqual({ channel: 'decisions', rotatedAtMs: at, form: 'plain' });
    expect(parseRotatedName('orders.20261127T064300123Z_2.jsonl.gz')).toEqual({ channel: 'orders', rotatedAtMs: at, form: 'gzipped' });
    expect(parseRotatedName('system.20261127T064300123Z.jsonl.gz.tmp')).toEqual({ channel: 'system', rotatedAtMs: at, form: 'partial' });
  });

  it('is no rotated file: a current file, logrotate\'s names, another channel, a stray suffix', () => {
    for (const name of ['decisions.jsonl', 'decisions.jsonl.1.gz', 'decisions.jsonl-20261128', 'notes.20261127T064300123Z.jsonl', 'decisions.20261127T064300123Z.jsonl.tmp', 'decisions.2026.jsonl']) {
      expect(parseRotatedName(name), name).toBeUndefined();
    }
  });
});
