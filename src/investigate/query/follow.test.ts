import { appendFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { waitUntil } from '../../../test/support/wait-until.js';
import { followLines } from './follow.js';

describe('followLines', () => {
  it('hands over new matching lines and every new misshapen line, each with its offset in the file', async () => {
    const logs = join(tempDir('tt-follow-lines-'), 'logs');
    mkdirSync(logs);
    const path = join(logs, 'decisions.jsonl');
    writeFileSync(path, 'garbage written before the follow began\n');
    const start = statSync(path).size;
    const lines: [string, number][] = [];
    const misshapen: number[] = [];
    const controller = new AbortController();
    const following = followLines(logs, ['decisions'], ['"decision_id"'], new Map([[path, start]]), {
      line: (_path, text, offset) => lines.push([text, offset]),
      misshapen: (_path, offset) => misshapen.push(offset),
    }, controller.signal, 20);
    const wanted = '{"ts":"2025-10-26T10:00:00.000Z","decision_id":"dec_1"}';
    const other = '{"ts":"2025-10-26T10:00:01.000Z","event_type":"LOG"}';
    appendFileSync(path, `${wanted}\nnot a log line\n${other}\n"decision_id" in garbage\n`);
    await waitUntil('both misshapen lines', () => misshapen.length >= 2);
    controller.abort();
    await following;
    const garbage = start + wanted.length + 1;
    const second = garbage + 'not a log line\n'.length + other.length + 1;
    expect(lines).toEqual([[wanted, start], ['"decision_id" in garbage', second]]);
    expect(misshapen).toEqual([garbage, second]);
  });

  it('hands over a line the bot was writing when the follow began once, whole, when it is complete', async () => {
    const logs = join(tempDir('tt-follow-torn-'), 'logs');
    mkdirSync(logs);
    const path = join(logs, 'orders.jsonl');
    const before = '{"ts":"2025-10-26T10:00:00.000Z","event_type":"ORDER_SUBMITTED"}\n';
    const line = '{"ts":"2025-10-26T10:00:01.000Z","event_type":"ORDER_FAILED","reason":"min_notional"}';
    writeFileSync(path, before + line.slice(0, 40));
    // The size a query takes while the line is half written: it ends inside the line.
    const start = statSync(path).size;
    const lines: [string, number][] = [];
    const misshapen: number[] = [];
    const controller = new AbortController();
    const following = followLines(logs, ['orders'], ['"event_type":"ORDER_'], new Map([[path, start]]), {
      line: (_path, text, offset) => lines.push([text, offset]),
      misshapen: (_path, offset) => misshapen.push(offset),
    }, controller.signal, 20);
    await sleep(60);
    appendFileSync(path, `${line.slice(40)}\n`);
    await waitUntil('the completed line', () => lines.length + misshapen.length >= 1);
    // A few more polls: nothing else may come of the line.
    await sleep(100);
    controller.abort();
    await following;
    expect(lines).toEqual([[line, before.length]]);
    expect(misshapen).toEqual([]);
  });
});
