import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as LogSetModule from '../../src/investigate/query/log-set.js';
import type * as SkippedModule from '../../src/investigate/query/skipped-lines.js';
import type * as TraceModule from '../../src/investigate/query/trace-query.js';
import { generateLog } from '../../src/investigate/testing/bulk-log.js';
import { median } from '../median.js';

/**
 * `npm run bench:query`: a ~1 GB log written through the real recorder, then `tradetrace trace` for
 * one decision against grep -F, rg -F and jq in the same run, cold (no index) and with the index.
 * Timings are wall-clock of whole processes (the compiled CLI, like `tradetrace` on a box) plus
 * in-process query times; each is the median of a few runs with the files in the page cache.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, 'bench/.out/query');
const TARGET_BYTES = Number(process.env['BENCH_QUERY_BYTES'] ?? 1024 ** 3);
const RUNS = Number(process.env['BENCH_QUERY_RUNS'] ?? 5);

interface Timed {
  seconds: number;
  /** user + system CPU seconds (median): steadier than wall time when other work shares the cores. */
  cpu: number;
  lines: number;
  maxRssKb: number;
}

/**
 * Runs a command `runs` times with its stdout on a pipe (GNU grep writing to /dev/null stops at the
 * first match, like -q: a pipe makes it do the whole search, as it does for a reader).
 */
function timeCommand(command: string, args: string[], runs: number): Timed {
  const times: number[] = [];
  const cpus: number[] = [];
  let lines = 0;
  let maxRssKb = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync('/usr/bin/time', ['-f', '%M %U %S', command, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    lines = result.stdout.split('\n').filter((l) => l.length > 0).length;
    const [rss, user, sys] = (result.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
    if (rss !== undefined && Number.isFinite(rss)) maxRssKb = Math.max(maxRssKb, rss);
    cpus.push((user ?? NaN) + (sys ?? NaN));
    if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr.slice(0, 500)}`);
  }
  return { seconds: median(times), cpu: median(cpus), lines, maxRssKb };
}

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

/** Query time without process startup, through the compiled modules (workers start as in production). */
async function inProcess(dist: string, dataDir: string, id: string, useIndex: boolean, runs: number): Promise<number> {
  const load = <T>(path: string) => import(pathToFileURL(join(dist, path)).href) as Promise<T>;
  const { traceDecision } = await load<typeof TraceModule>('investigate/query/trace-query.js');
  const { openLogSet } = await load<typeof LogSetModule>('investigate/query/log-set.js');
  const { SkippedLines } = await load<typeof SkippedModule>('investigate/query/skipped-lines.js');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const outcome = await traceDecision(openLogSet(dataDir), id, { skipped: new SkippedLines(), useIndex });
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (outcome.kind !== 'found') throw new Error(`in-process trace of ${id}: ${outcome.kind}`);
  }
  return median(times);
}

async function main(): Promise<void> {
  console.log(`generating (or reusing) ~${(TARGET_BYTES / 1024 ** 3).toFixed(2)} GB of logs in ${OUT} ...`);
  const genStart = Date.now();
  const log = generateLog(OUT, TARGET_BYTES);
  console.log(`log: ${(log.bytes / 1024 ** 2).toFixed(0)} MB, ${log.lines} lines (${((Date.now() - genStart) / 1000).toFixed(1)} s)`);
  const dist = join(OUT, 'dist');
  console.log('compiling the CLI to', dist);
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', dist], { stdio: 'inherit' });
  const cli = join(dist, 'cli/entry.js');
  const logsDir = join(log.dataDir, 'logs');
  const files = readdirSync(logsDir).filter((f) => f.endsWith('.jsonl')).map((f) => join(logsDir, f));
  const indexDir = join(log.dataDir, 'index');
  // Warm the page cache once so every tool reads from memory.
  spawnSync('sh', ['-c', `cat ${files.map((f) => `'${f}'`).join(' ')} > /dev/null`]);
  const rows: { name: string; seconds: number; cpu: number; lines: number; rss: number }[] = [];
  console.log(`machine load (uptime): ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
  const cases = [
    ['middle of the log, sold 4 min later, inside its window', log.middle],
    ['40% into the log, sold at 75%: the exit is far past its window', log.late],
    ['middle of the log, never sold: reads to the end', log.unsold],
    ['3% into the log, failed (no position)', log.early],
  ] as const;
  for (const [label, id] of cases) {
    const first = id === cases[0][1];
    console.log(`\n== trace ${id} (${label}) ==`);
    const needle = `"decision_id":"${id}`;
    const add = (name: string, r: Timed) => {
      rows.push({ name, seconds: r.seconds, cpu: r.cpu, lines: r.lines, rss: r.maxRssKb });
      console.log(`${name.padEnd(40)} ${r.seconds.toFixed(3).padStart(8)} s wall ${r.cpu.toFixed(2).padStart(6)} s cpu  ${String(r.lines).padStart(4)} lines  ${(r.maxRssKb / 1024).toFixed(0).padStart(5)} MB peak RSS`);
    };
    const start = rows.length;
    add('grep -F', timeCommand('grep', ['-F', needle, ...files], RUNS));
    if (has('rg')) add('rg -F', timeCommand('rg', ['-F', '--no-filename', needle, ...files], RUNS));
    else console.log('rg -F                                    skipped: ripgrep is not installed (apt-get install ripgrep)');
    add('tradetrace trace --no-index --json', timeCommand('node', [cli, 'trace', id, '--data-dir', log.dataDir, '--no-index', '--json'], RUNS));
    add('tradetrace trace --no-index (story)', timeCommand('node', [cli, 'trace', id, '--data-dir', log.dataDir, '--no-index'], RUNS));
    if (first) {
      rmSync(indexDir, { recursive: true, force: true });
      add('tradetrace trace, first use (scan + index)', timeCommand('node', [cli, 'trace', id, '--data-dir', log.dataDir, '--json'], 1));
    }
    add('tradetrace trace with index --json', timeCommand('node', [cli, 'trace', id, '--data-dir', log.dataDir, '--json'], RUNS));
    add('node startup alone (node -e 0)', timeCommand('node', ['-e', '0'], RUNS));
    if (first && has('jq')) add('jq select(.decision_id == id)', timeCommand('jq', ['-c', `select(.decision_id == "${id}")`, ...files], 1));
    const grep = rows[start];
    console.log('ratios (grep -F time / tool time; > 1 means faster than grep): wall, cpu');
    for (const r of rows.slice(start)) console.log(`  ${r.name.padEnd(40)} ${((grep?.seconds ?? NaN) / r.seconds).toFixed(2)}x  ${((grep?.cpu ?? NaN) / r.cpu).toFixed(2)}x`);
    const noIndexMs = (await inProcess(dist, log.dataDir, id, false, RUNS)) * 1000;
    const indexMs = (await inProcess(dist, log.dataDir, id, true, RUNS)) * 1000;
    console.log(`in-process query time (no process startup): scan ${noIndexMs.toFixed(1)} ms, index ${indexMs.toFixed(1)} ms`);
  }
  console.log('\n== full-scan commands over the whole log (1 run each) ==');
  for (const args of [['why'], ['orders'], ['orders', '--status', 'failed', '--limit', '5'], ['sessions']]) {
    const r = timeCommand('node', [cli, ...args, '--data-dir', log.dataDir], 1);
    console.log(`tradetrace ${args.join(' ').padEnd(36)} ${r.seconds.toFixed(3).padStart(8)} s wall ${r.cpu.toFixed(2).padStart(6)} s cpu  ${String(r.lines).padStart(7)} lines out  ${(r.maxRssKb / 1024).toFixed(0).padStart(5)} MB peak RSS`);
  }
  if (!existsSync(indexDir)) console.log('note: the index directory was not created (read-only data dir?)');
}

await main();
