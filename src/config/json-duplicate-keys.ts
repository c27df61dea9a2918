/** A key given more than once in one JSON object: JSON.parse keeps the last and silently drops the others. */
export interface DuplicateJsonKey {
  /** Dotted path of the repeated key, `[i]` for array elements: `trading`, `trading.symbols`, `a[0].b`. */
  readonly path: string;
  /** 1-based line and column of this (second or later) occurrence. */
  readonly line: number;
  readonly column: number;
  /** 1-based line of the first occurrence. */
  readonly firstLine: number;
}

interface Frame {
  readonly path: string;
  /** Keys seen so far and the line of each; undefined for an array. */
  readonly keys: Map<string, number> | undefined;
  /** In an object: the next string is a key. */
  expectKey: boolean;
  /** In an object: the key of the value being read. In an array: that value's index. */
  key: string;
  index: number;
}

function childPath(frame: Frame | undefined): string {
  if (frame === undefined) return '';
  if (frame.keys === undefined) return `${frame.path}[${frame.index}]`;
  return frame.path === '' ? frame.key : `${frame.path}.${frame.key}`;
}

/**
 * Every key repeated within one object of `text`, in document order. `text` must be valid JSON
 * (JSON.parse it first): this only tracks structure, with an explicit stack so any nesting depth
 * is fine. Keys are compared as JSON.parse decodes them, so `"a"` and `"\u0061"` are the same key.
 */
export function findDuplicateJsonKeys(text: string): DuplicateJsonKey[] {
  const found: DuplicateJsonKey[] = [];
  const stack: Frame[] = [];
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack.at(-1);
    if (c === '\n') {
      line++;
      lineStart = i + 1;
    } else if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (top?.keys !== undefined && top.expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        top.key = key;
        top.expectKey = false;
        const firstLine = top.keys.get(key);
        if (firstLine === undefined) top.keys.set(key, line);
        else found.push({ path: childPath(top), line, column: start - lineStart + 1, firstLine });
      }
    } else if (c === '{' || c === '[') {
      stack.push({ path: childPath(top), keys: c === '{' ? new Map() : undefined, expectKey: c === '{', key: '', index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',' && top !== undefined) {
      if (top.keys === undefined) top.index++;
      else top.expectKey = true;
    }
  }
  return found;
}
