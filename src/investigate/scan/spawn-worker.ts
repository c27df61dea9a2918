import { Worker } from 'node:worker_threads';

/**
 * Runs one request in a worker thread built from `<name>.js` beside the caller's module. Compiled (dist/),
 * that is plain JavaScript; from source (tsx, vitest) the worker loads the .ts through tsx's API,
 * which is slower to start but only ever happens in development. An aborted `signal` terminates the
 * worker at once and resolves to null: the caller no longer wants its answer.
 */
export function runInWorker<Req, Res>(callerUrl: string, name: string, request: Req): Promise<Res>;
export function runInWorker<Req, Res>(callerUrl: string, name: string, request: Req, signal: AbortSignal): Promise<Res | null>;
export function runInWorker<Req, Res>(callerUrl: string, name: string, request: Req, signal?: AbortSignal): Promise<Res | null> {
  const compiled = callerUrl.endsWith('.js');
  const worker = compiled
    ? new Worker(new URL(`./${name}.js`, callerUrl))
    : new Worker(
        `import('tsx/esm/api').then((api) => api.tsImport(${JSON.stringify(new URL(`./${name}.ts`, callerUrl).href)}, ${JSON.stringify(callerUrl)}))`,
        { eval: true },
      );
  return new Promise<Res | null>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    signal?.addEventListener('abort', () => settle(() => resolve(null)), { once: true });
    worker.once('message', (response: Res) => settle(() => resolve(response)));
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => {
      if (code !== 0 && code !== 1) settle(() => reject(new Error(`worker ${name} exited with code ${code}`)));
    });
    worker.postMessage(request);
  });
}
