/**
 * What a terminal `rows` x `columns` shows after `output` (as `script` recorded it): enough of a VT100
 * for the dashboard's codes (cursor home and position, clear screen, clear below, clear to the end of
 * the line; styles and cursor visibility ignored), with line wrap and scrolling. Rows, right-trimmed.
 */
export function terminalScreen(output: string, rows: number, columns: number): string[] {
  const blank = (): string[] => Array.from({ length: columns }, () => ' ');
  const screen = Array.from({ length: rows }, blank);
  let row = 0;
  let col = 0;
  const lineFeed = (): void => {
    row++;
    if (row < rows) return;
    screen.shift();
    screen.push(blank());
    row = rows - 1;
  };
  const clearRow = (r: number, from: number): void => {
    const line = screen[r];
    if (line) for (let c = from; c < columns; c++) line[c] = ' ';
  };
  for (let i = 0; i < output.length; ) {
    const ch = output[i] ?? '';
    if (ch === '\u001b') {
      const csi = /^\u001b\[([0-9;?]*)([A-Za-z])/.exec(output.slice(i));
      i += csi ? csi[0].length : 1;
      if (!csi) continue;
      const [, params = '', command] = csi;
      const numbers = params.replace('?', '').split(';').map((p) => Number(p || '0'));
      if (command === 'H') {
        row = Math.min(rows, Math.max(1, numbers[0] ?? 1)) - 1;
        col = Math.min(columns, Math.max(1, numbers[1] ?? 1)) - 1;
      } else if (command === 'J') {
        if ((numbers[0] ?? 0) === 2) for (let r = 0; r < rows; r++) clearRow(r, 0);
        else {
          clearRow(row, col);
          for (let r = row + 1; r < rows; r++) clearRow(r, 0);
        }
      } else if (command === 'K') {
        clearRow(row, col);
      }
      continue;
    }
    i++;
    if (ch === '\r') col = 0;
    else if (ch === '\n') lineFeed();
    else if (ch >= ' ') {
      // The wrap is taken when a character comes past the last column, as on a VT100.
      if (col >= columns) {
        col = 0;
        lineFeed();
      }
      const line = screen[row];
      if (line) line[col] = ch;
      col++;
    }
  }
  return screen.map((line) => line.join('').trimEnd());
}
