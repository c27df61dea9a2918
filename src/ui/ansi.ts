/** Terminal control sequences and text fitting; the only place escape codes are spelled out. */
export const CURSOR_HOME = '\x1b[H';
export const CLEAR_SCREEN = '\x1b[2J';
export const CLEAR_LINE_END = '\x1b[K';
export const CLEAR_BELOW = '\x1b[J';
export const HIDE_CURSOR = '\x1b[?25l';
export const SHOW_CURSOR = '\x1b[?25h';

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

const CODES: Record<Style, string> = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', cyan: '36' };

const ANSI_SEQUENCE = /\x1b\[[0-9;?]*[A-Za-z]/g;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Text from events and symbols, made safe to print: no escape sequence can reach the terminal. */
export function printable(text: string): string {
  return text.replace(CONTROL, ' ');
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI_SEQUENCE, '');
}

/** A painter bound to whether colour is on, so rendering code never tests the flag itself. */
export function painter(color: boolean): (style: Style, text: string) => string {
  return color ? (style, text) => `\x1b[${CODES[style]}m${text}\x1b[0m` : (_style, text) => text;
}

/** Cuts a line with escape codes to `width` visible characters, closing any open style. */
export function fitLine(line: string, width: number): string {
  if (stripAnsi(line).length <= width) return line;
  let out = '';
  let visible = 0;
  let styled = false;
  for (let i = 0; i < line.length && visible < width; ) {
    if (line[i] === '\x1b') {
      const match = /^\x1b\[[0-9;?]*[A-Za-z]/.exec(line.slice(i));
      if (match) {
        out += match[0];
        styled = match[0] !== '\x1b[0m';
        i += match[0].length;
        continue;
      }
    }
    out += line[i];
    visible++;
    i++;
  }
  if (width > 0 && visible === width) out = `${out.slice(0, -1)}…`;
  return styled ? `${out}\x1b[0m` : out;
}

/** Pads (or cuts) plain text to exactly `width` characters. */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fitted = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  return align === 'left' ? fitted.padEnd(width) : fitted.padStart(width);
}
