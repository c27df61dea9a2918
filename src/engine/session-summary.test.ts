import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import type { LogFile } from '../recorder/log-files.js';
import { quietSummary } from './__fixtures__/quiet-summary.js';
import { formatPaperSummary, logFilesShown, type PaperSummary } from './session-summary.js';

const DIR = "/tmp/nextfix/with space/it's dä tä ✓";

function summaryOf(traceDecision: string | undefined, decisions: number): PaperSummary {
  return quietSummary(decisions, { traceDecision, logFiles: [`${DIR}/logs/decisions.jsonl`] });
}

/** The arguments a real POSIX shell makes of a printed command line. */
function shellArgs(command: string): string[] {
  return execFileSync('sh', ['-c', `printf '%s\\0' ${command}`], { encoding: 'utf8' }).split('\0').slice(0, -1);
}

describe('formatPaperSummary', () => {
  it('ends with a trace command whose data directory the shell reads back as one argument', () => {
    const text = formatPaperSummary('session_20250101_000000', summaryOf('dec_20250101_000000_abcdef', 10), DIR);
    const command = /\n {2}(tradetrace trace .*)\n$/.exec(text)?.[1] ?? '';
    expect(shellArgs(command)).toEqual(['tradetrace', 'trace', 'dec_20250101_000000_abcdef', '--data-dir', DIR]);
  });

  it('leaves a plain data directory unquoted', () => {
    expect(formatPaperSummary('session_20250101_000000', summaryOf('dec_20250101_000000_abcdef', 10), '/tmp/x/data')).toMatch(/\n {2}tradetrace trace dec_20250101_000000_abcdef --data-dir \/tmp\/x\/data\n$/);
  });

  it('names the data directory in the trace command of a session where no decision reached an order', () => {
    const text = formatPaperSummary('session_20250101_000000', summaryOf(undefined, 10), DIR);
    const command = /with (tradetrace trace .*)\n$/.exec(text)?.[1] ?? '';
    expect(shellArgs(command.replace('<decision_id>', 'dec_x'))).toEqual(['tradetrace', 'trace', 'dec_x', '--data-dir', DIR]);
  });

  it('prints each other currency on a line of its own, and days kept unsplit from before schema 3 as the currencies they mix', () => {
    const d = (text: string): Decimal => Decimal.parse(text);
    const summary: PaperSummary = {
      ...summaryOf(undefined, 10), quote: 'BTC', realized: d('-0.00006'), totalRealized: d('-0.00009'), fees: d('0.0004'),
      otherCurrencies: [
        { currency: 'USD', session: d('1.25'), reconciled: d('1.25'), total: d('-0.46'), fees: d('0.47') },
      ],
      unsplit: [
        { currencies: ['BTC', 'USD'], days: 2, firstDay: '2022-01-03', lastDay: '2022-01-05', realizedPnl: d('-2.5'), fees: d('0.3') },
        { currencies: [], days: 1, firstDay: '2021-12-30', lastDay: '2021-12-30', realizedPnl: d('0.1'), fees: d('0.01') },
      ],
    };
    const text = formatPaperSummary('session_20250101_000000', summary, '/tmp/x/data');
    expect(text).toContain([
      '  PnL          realized -0.00006 BTC this session (total -0.00009), unrealized +0 (at the last price, after the exit fee), fees paid 0.0004 in total (on this data directory)',
      '               realized +1.25 USD this session, incl. +1.25 from fills reconciled at start (total -0.46), fees paid 0.47 in total: markets quoted in USD, kept apart from BTC',
      '               realized -2.5 and fees paid 0.3 in BTC and USD together on 2 days from 2022-01-03 to 2022-01-05: booked before PnL was kept per currency and not splittable, so in none of the totals above (on such a day, a daily loss limit in one of them refuses buying)',
      '               realized +0.1 and fees paid 0.01 in currencies the books do not name on 2021-12-30: booked before PnL was kept per currency and not splittable, so in none of the totals above (on such a day, a daily loss limit in one of them refuses buying)',
      '  positions    none open',
    ].join('\n'));
  });

  it('marks a position in a symbol the session did not trade: no exit rule ran on it', () => {
    const base = summaryOf(undefined, 10);
    const positions = [
      { symbol: 'BTC/USD', qty: '0.0012', entry_px: '38484', decision_id: 'dec_20220131_235300_63275b', exit_blocked: false, not_traded: true },
      { symbol: 'ETH/USD', qty: '0.5', entry_px: '2000', decision_id: 'dec_20220201_000100_aaaaaa', exit_blocked: false },
    ];
    const text = formatPaperSummary('session_20250101_000000', { ...base, record: { ...base.record, open_positions: positions } }, '/tmp/x/data');
    expect(text).toContain('  positions    BTC/USD 0.0012 @ 38484 (dec_20220131_235300_63275b), not traded this session: no exit rule runs on it; ETH/USD 0.5 @ 2000 (dec_20220201_000100_aaaaaa)\n');
  });
});

describe('logFilesShown', () => {
  const file = (path: string, current: boolean): LogFile => ({ channel: 'decisions', path, gzipped: path.endsWith('.gz'), current });

  it('names the files being written and counts the rotated ones instead of listing each', () => {
    const files = [
      file('/d/logs/decisions.jsonl', true),
      ...Array.from({ length: 2790 }, (_, i) => file(`/d/logs/decisions.20261128T0500${String(i).padStart(5, '0')}Z.jsonl`, false)),
      file('/d/logs/orders.jsonl', true),
      file('/d/logs/orders.jsonl.1.gz', false),
    ];
    expect(logFilesShown(files, '/d/logs')).toEqual(['/d/logs/decisions.jsonl', '/d/logs/orders.jsonl', '+ 2791 rotated files in /d/logs']);
  });

  it('lists the current files alone when nothing was rotated', () => {
    expect(logFilesShown([file('/d/logs/decisions.jsonl', true)], '/d/logs')).toEqual(['/d/logs/decisions.jsonl']);
    expect(logFilesShown([file('/d/logs/decisions.jsonl', true), file('/d/logs/decisions.jsonl.1', false)], '/d/logs')).toEqual(['/d/logs/decisions.jsonl', '+ 1 rotated file in /d/logs']);
  });
});
