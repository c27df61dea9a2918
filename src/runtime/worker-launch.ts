import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * tsx's ESM API module. Resolved by hand from its package.json: `require.resolve` would pick the
 * CommonJS build, whose `register` cannot load its ESM half from inside a worker.
 */
function tsxEsmApi(): URL {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } } | string> };
  const entry = manifest.exports?.['./esm/api'];
  const relative = typeof entry === 'object' ? entry.import?.default : undefined;
  if (!relative) throw new Error(`tsx at ${manifestPath} has no ESM export ./esm/api; cannot run a .ts worker from source`);
  return pathToFileURL(join(dirname(manifestPath), relative));
}

/**
 * Starts a worker thread from a module beside the caller, from source or compiled.
 * Compiled (dist/), `moduleUrl` names a `.js` file and Node runs it directly. From source, it names
 * a `.ts` file, which Node 20 cannot load: loader hooks given with `--import` (how tsx runs the main
 * thread) are not applied to worker threads, whether inherited or passed in `execArgv`. So the
 * worker first registers tsx's ESM hooks in itself, then imports the module. Vitest, which does
 * not use tsx for the main thread, takes the same path.
 */
export function launchWorker(moduleUrl: URL, workerData: unknown): Worker {
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, { workerData });
  const bootstrap = [
    `import(${JSON.stringify(tsxEsmApi().href)})`,
    '.then(({ register }) => { register(); })',
    `.then(() => import(${JSON.stringify(moduleUrl.href)}))`,
    '.catch((error) => { setImmediate(() => { throw error; }); });',
  ].join('\n');
  return new Worker(bootstrap, { eval: true, workerData });
}

/** `./<name>.ts` from source, `./<name>.js` once compiled: whichever this very file is. */
export function siblingModule(name: string, fromUrl: string): URL {
  return new URL(`./${name}${fromUrl.endsWith('.ts') ? '.ts' : '.js'}`, fromUrl);
}
