/** Characters that do not show, or show as something else: controls, zero-width marks, spaces other than ' '. */
const INVISIBLE = /[\p{C}\p{Z}]/gu;

/**
 * A name as its source wrote it, with what cannot be seen escaped (`global_trading\u200b`): a key
 * pasted with a zero-width space was refused as unknown with, to the eye, the very key suggested.
 */
export function visible(name: string): string {
  return name.replace(INVISIBLE, (char) => {
    if (char === ' ') return char;
    const code = char.codePointAt(0) ?? 0;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
