/**
 * Where a JSON text first breaks the grammar, and what was expected there. JSON.parse's own message
 * quotes the source around the error (`..."api_key": SuperSecre"... is not valid JSON`), and a config
 * file holds secrets, so a problem is built from this instead: a position and a description, never
 * the file's text. Iterative, so no nesting depth can overflow the stack.
 */
export interface JsonSyntaxError {
  /** Offset (UTF-16 units) of the first character that breaks the grammar; the text's length at its end. */
  readonly offset: number;
  /** What the grammar allowed there, e.g. `',' or '}' after a value in an object`. */
  readonly expected: string;
}

const A_VALUE = 'a value (a string in double quotes, a number, true, false, null, an object or a list)';
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

type Step = { end: number } | JsonSyntaxError;

function stringEnd(text: string, start: number): Step {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return { end: i + 1 };
    if (c < 0x20) return { offset: i, expected: 'no control character inside a string (a newline or tab is written \\n or \\t)' };
    if (c === 0x5c) {
      const next = text[i + 1];
      if (next === 'u') {
        HEX4.lastIndex = i + 2;
        if (!HEX4.test(text)) return { offset: i, expected: 'four hex digits after \\u in a string' };
        i += 6;
        continue;
      }
      if (next === undefined || !ESCAPES.has(next)) return { offset: i, expected: 'one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX after a backslash in a string' };
      i += 2;
      continue;
    }
    i++;
  }
  return { offset: start, expected: 'the string that starts here to end with \'"\' (the file ends first)' };
}

function scalarEnd(text: string, i: number): Step {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (match && match[0] !== '-') return { end: i + match[0].length };
    return { offset: i, expected: 'a number (digits, optionally with a fraction and an exponent)' };
  }
  for (const word of ['true', 'false', 'null']) {
    if (text.startsWith(word, i)) return { end: i + word.length };
  }
  if (c === "'") return { offset: i, expected: `${A_VALUE}; strings take double quotes, not single` };
  return { offset: i, expected: c !== undefined && /[A-Za-z]/.test(c) ? `${A_VALUE}; text must be in double quotes` : A_VALUE };
}

/** The first syntax error in `text` as JSON, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stack: ('{' | '[')[] = [];
  let state: 'value' | 'value_or_close' | 'key' | 'key_or_close' | 'after' = 'value';
  let i = 0;
  for (;;) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    const c = text[i];
    if (state === 'after') {
      const top = stack.at(-1);
      if (top === undefined) return i < text.length ? { offset: i, expected: 'the end of the file after the value' } : undefined;
      const close = top === '{' ? '}' : ']';
      if (c === ',') state = top === '{' ? 'key' : 'value';
      else if (c === close) stack.pop();
      else return { offset: i, expected: `',' or '${close}' after a value in ${top === '{' ? 'an object' : 'a list'}` };
      i++;
      continue;
    }
    if (state === 'key' || state === 'key_or_close') {
      if (state === 'key_or_close' && c === '}') {
        stack.pop();
        i++;
        state = 'after';
        continue;
      }
      if (c !== '"') return { offset: i, expected: state === 'key' ? 'a key in double quotes' : "a key in double quotes or '}'" };
      const key = stringEnd(text, i);
      if (!('end' in key)) return key;
      i = key.end;
      while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
      if (text[i] !== ':') return { offset: i, expected: "':' after the key" };
      i++;
      state = 'value';
      continue;
    }
    if (state === 'value_or_close' && c === ']') {
      stack.pop();
      i++;
      state = 'after';
      continue;
    }
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      state = c === '{' ? 'key_or_close' : 'value_or_close';
      continue;
    }
    const value = scalarEnd(text, i);
    if (!('end' in value)) return value;
    i = value.end;
    state = 'after';
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
