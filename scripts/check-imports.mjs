#!/usr/bin/env node
// Enforces DESIGN.md's layering and forbids import cycles in src/.
// Written by hand (not a lint plugin) so the layer table lives in one readable place.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const srcDir = join(root, 'src');

const BOT = ['market-data', 'strategy', 'execution', 'engine', 'store'];
const READERS = ['investigate', 'alerts', 'ui', 'sinks'];
/** Which top-level folders of src/ each folder may import from (itself always allowed). */
const ALLOWED = {
  domain: [],
  recorder: ['domain'],
  config: ['domain', 'recorder'],
  runtime: ['domain', 'recorder'],
  ...Object.fromEntries(BOT.map((f) => [f, ['domain', 'recorder', 'config', 'runtime', ...BOT]])),
  ...Object.fromEntries(READERS.map((f) => [f, ['domain', 'recorder', ...READERS]])),
  cli: ['domain', 'recorder', 'config', 'runtime', ...BOT, ...READERS],
};
// The terminal dashboard renders what the dashboard bus delivers.
ALLOWED.ui = [...ALLOWED.ui, 'runtime'];

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const importRe = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const files = walk(srcDir);
const graph = new Map();
const problems = [];

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const isTest = file.endsWith('.test.ts');
  const edges = [];
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (!spec || !spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    edges.push(target);
    const from = relative(srcDir, file).split('/')[0];
    const to = relative(srcDir, target).split('/')[0];
    if (!isTest && from !== to && ALLOWED[from] && !ALLOWED[from].includes(to)) {
      problems.push(`layer: src/${relative(srcDir, file)} imports src/${relative(srcDir, target)} (${from} may import only ${[from, ...ALLOWED[from]].join(', ')})`);
    }
  }
  if (!isTest) graph.set(file, edges);
}

// Tarjan's strongly connected components: any component with more than one file is a cycle.
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function strongConnect(v) {
  idx.set(v, index);
  low.set(v, index);
  index++;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!idx.has(w)) {
      strongConnect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) {
      low.set(v, Math.min(low.get(v), idx.get(w)));
    }
  }
  if (low.get(v) === idx.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) {
      problems.push(`cycle: ${component.map((f) => 'src/' + relative(srcDir, f)).join(' <-> ')}`);
    }
  }
}
for (const v of graph.keys()) if (!idx.has(v)) strongConnect(v);

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`check-imports: ${problems.length} problem(s) in ${files.length} files`);
  process.exit(1);
}
console.log(`check-imports: ${files.length} files, no cycles, layers respected`);
