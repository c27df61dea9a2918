import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { runnableTraceCommands, tradetraceOnPath } from './runnable-trace.js';

const SUMMARY = 'trace a decision of this session:\n  tradetrace trace dec_20261127_101800_02879b --data-dir data\n';
const NONE = 'no decision reached an order this session; trace any decision id from data/logs/decisions.jsonl with tradetrace trace <decision_id>\n';

describe('runnableTraceCommands', () => {
  it('prefixes npx when no tradetrace is on PATH (a fresh checkout run through npm start)', () => {
    const env = { PATH: tempDir('tradetrace-path-empty-') };
    expect(tradetraceOnPath(env)).toBe(false);
    expect(runnableTraceCommands(SUMMARY, env)).toBe('trace a decision of this session:\n  npx tradetrace trace dec_20261127_101800_02879b --data-dir data\n');
    expect(runnableTraceCommands(NONE, env)).toContain('with npx tradetrace trace <decision_id>');
  });

  it('leaves the command as it is when an executable tradetrace is on PATH (npm link, global install)', () => {
    const dir = tempDir('tradetrace-path-bin-');
    const bin = join(dir, 'tradetrace');
    writeFileSync(bin, '#!/bin/sh\n');
    chmodSync(bin, 0o755);
    const env = { PATH: `${tempDir('tradetrace-path-other-')}:${dir}` };
    expect(tradetraceOnPath(env)).toBe(true);
    expect(runnableTraceCommands(SUMMARY, env)).toBe(SUMMARY);
  });

  it('does not count a tradetrace file that is not executable', () => {
    const dir = tempDir('tradetrace-path-noexec-');
    writeFileSync(join(dir, 'tradetrace'), 'not a program');
    chmodSync(join(dir, 'tradetrace'), 0o644);
    expect(tradetraceOnPath({ PATH: dir })).toBe(false);
  });
});
