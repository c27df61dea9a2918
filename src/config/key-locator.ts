import { isMap, isScalar, parseDocument, type Document } from 'yaml';

/**
 * Finds where a config file names a section, or a key of one: the line of a key written with no
 * value, for the error that asks for one. A key with no value has no scalar to point at
 * (scalarLocator), only its name. JSON is read as YAML (a superset of it) for positions only; of a
 * repeated key, the last, as JSON.parse keeps the last.
 */
export function keyLocator(text: string): (section: string, name?: string) => number | undefined {
  let doc: Document | undefined;
  const pairOf = (node: unknown, key: string) => (isMap(node) ? node.items.findLast((pair) => isScalar(pair.key) && pair.key.value === key) : undefined);
  return (section, name) => {
    doc ??= parseDocument(text, { uniqueKeys: false });
    const sectionPair = pairOf(doc.contents, section);
    const pair = name === undefined ? sectionPair : pairOf(sectionPair?.value, name);
    return isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
  };
}
