import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest folder above this module with a package.json (works from src/ and dist/). */
export function findProjectRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

/** A V8 CallSite as seen through a foreign `prepareStackTrace`: maybe not one at all. */
interface RawSite {
  readonly getFileName?: () => string | null | undefined;
  readonly getLineNumber?: () => number | null;
  readonly getColumnNumber?: () => number | null;
}

const returnSites = (_error: Error, sites: NodeJS.CallSite[]): NodeJS.CallSite[] => sites;
const FRAME_IN_PARENS = /\((.+):(\d+):\d+\)\s*$/;
const BARE_FRAME = /at (?:async )?(.+):(\d+):\d+\s*$/;

/**
 * Names the TypeScript file:line that called a function, relative to the project root, from
 * source (tsx, vitest) or from compiled JavaScript with source maps enabled.
 *
 * Formatting a stack through source maps costs microseconds, so it is done once per call site:
 * each call first captures one raw V8 CallSite (generated file, line and column, no source-map
 * lookup) and uses it as the cache key for the formatted, source-mapped answer.
 */
export class CallSiteResolver {
  private readonly cache = new Map<string, string>();

  constructor(readonly projectRoot: string = findProjectRoot()) {}

  /**
   * `src/engine/buy-decision.ts:142` for the code `depth` frames above the caller of `callerOf`:
   * depth 1 (the default) is whoever called the function that calls `callerOf`.
   */
  callerOf(depth = 1): string {
    const key = rawKey(depth);
    if (key !== undefined) {
      const cached = this.cache.get(key);
      if (cached !== undefined) return cached;
    }
    const source = this.formatted(depth);
    if (key !== undefined) this.cache.set(key, source);
    return source;
  }

  private formatted(depth: number): string {
    const savedLimit = Error.stackTraceLimit;
    const holder: { stack?: string } = {};
    try {
      // +2: this method and callerOf.
      Error.stackTraceLimit = depth + 3;
      Error.captureStackTrace(holder);
    } finally {
      Error.stackTraceLimit = savedLimit;
    }
    const frame = String(holder.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '))[depth + 2];
    const match = frame === undefined ? null : (FRAME_IN_PARENS.exec(frame) ?? BARE_FRAME.exec(frame));
    if (!match?.[1] || !match[2]) return 'unknown';
    return `${this.relativePath(match[1])}:${match[2]}`;
  }

  private relativePath(location: string): string {
    const file = location.startsWith('file://') ? fileURLToPath(location) : location;
    if (!file.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(file)) return file; // node:internal, eval, ...
    return relative(this.projectRoot, file).split(sep).join('/');
  }
}

/** The raw (generated) position of the wanted frame, or undefined where V8 call sites are unavailable. */
function rawKey(depth: number): string | undefined {
  // Through Reflect: the typings declare prepareStackTrace as a method, but it is a plain slot to save and restore.
  const savedPrepare: unknown = Reflect.get(Error, 'prepareStackTrace');
  const savedLimit = Error.stackTraceLimit;
  const holder: { stack?: unknown } = {};
  let sites: unknown;
  try {
    Error.prepareStackTrace = returnSites;
    // +1: callerOf (rawKey itself is skipped by captureStackTrace).
    Error.stackTraceLimit = depth + 2;
    Error.captureStackTrace(holder, rawKey);
    // `.stack` is formatted lazily: read it while our prepareStackTrace is installed.
    sites = holder.stack;
  } finally {
    Reflect.set(Error, 'prepareStackTrace', savedPrepare);
    Error.stackTraceLimit = savedLimit;
  }
  if (!Array.isArray(sites)) return undefined;
  const site = sites[depth + 1] as RawSite | undefined;
  if (typeof site?.getFileName !== 'function' || typeof site.getLineNumber !== 'function' || typeof site.getColumnNumber !== 'function') return undefined;
  return `${site.getFileName() ?? '?'}:${site.getLineNumber() ?? 0}:${site.getColumnNumber() ?? 0}`;
}
