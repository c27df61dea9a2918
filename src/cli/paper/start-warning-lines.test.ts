import { describe, expect, it } from 'vitest';
import type { StartWarning } from '../../engine/startup-warnings.js';
import { PinnedRowsStream, printStartWarnings, rowsTaken, startWarningLine } from './start-warning-lines.js';

const HOME = '\u001b[H';
const CLEAR = '\u001b[2J';
const CLEAR_BELOW = '\u001b[J';

class Tty {
  readonly isTTY = true;
  text = '';
  constructor(readonly columns: number, readonly rows: number) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** A stream both a Node stream and the dashboard's: what the test needs of each. */
const asStream = (tty: Tty): NodeJS.WritableStream => tty as unknown as NodeJS.WritableStream;

const warning = (message: string): StartWarning => ({ code: 'held_not_traded', component: 'startup', message, data: {} });

describe('start warnings on the terminal', () => {
  it('one line each, prefixed, with no control character', () => {
    expect(startWarningLine(warning('BTC/USD\u001b[2J is held\nbut'))).toBe('tradetrace paper: warning: BTC/USD [2J is held but');
  });

  it('counts the rows wrapped lines take', () => {
    expect(rowsTaken(['a'.repeat(80), 'b'.repeat(81), ''], 80)).toBe(4);
  });

  it('under the live dashboard: printed at the top of a cleared screen, and the frame drawn below them, on fewer rows', () => {
    const terminal = new Tty(100, 40);
    const frame = new PinnedRowsStream(terminal);
    const outcome = printStartWarnings({ stdout: asStream(terminal), stderr: asStream(terminal) }, [warning('x'.repeat(150)), warning('short')], frame);
    expect(outcome).toBe('pinned');
    // 177 characters on 100 columns: 2 rows, and 1 for the short one.
    expect(frame.pinned).toBe(3);
    expect(frame.rows).toBe(37);
    expect(terminal.text).toBe(`${HOME}${CLEAR}tradetrace paper: warning: ${'x'.repeat(150)}\ntradetrace paper: warning: short\n`);
    terminal.text = '';
    // The dashboard's own start and frame: its home is the row under the warnings, its clear clears below them.
    frame.write(`\u001b[?25l${CLEAR}`);
    frame.write(`${HOME}frame\u001b[K\n${CLEAR_BELOW}`);
    expect(terminal.text).toBe(`\u001b[?25l${HOME}\n\n\n${CLEAR_BELOW}${HOME}\n\n\nframe\u001b[K\n${CLEAR_BELOW}`);
  });

  it('stderr not a terminal: the lines go there, the dashboard draws as it always did', () => {
    const terminal = new Tty(100, 40);
    let errors = '';
    const stderr = { write: (chunk: string) => ((errors += chunk), true) } as unknown as NodeJS.WritableStream;
    const frame = new PinnedRowsStream(terminal);
    expect(printStartWarnings({ stdout: asStream(terminal), stderr }, [warning('w')], frame)).toBe('printed');
    expect(errors).toBe('tradetrace paper: warning: w\n');
    expect(terminal.text).toBe('');
    expect(frame.rows).toBe(40);
    frame.write(`${HOME}frame`);
    expect(terminal.text).toBe(`${HOME}frame`);
  });

  it('too many for the frame to keep its rows: printed, not pinned, to be said again after the dashboard', () => {
    const terminal = new Tty(80, 24);
    const frame = new PinnedRowsStream(terminal);
    const outcome = printStartWarnings({ stdout: asStream(terminal), stderr: asStream(terminal) }, Array.from({ length: 13 }, (_, i) => warning(`w${i}`)), frame);
    expect(outcome).toBe('again_after_dashboard');
    expect(frame.pinned).toBe(0);
    expect(terminal.text).not.toContain(CLEAR);
  });
});
