import { Worker } from 'node:worker_threads';

/**
 * Runs one request in a worker thread built from `<name>.js` beside the caller's module. Compiled (dist/),
 * that is plain JavaScript; from source (tsx, vitest) the worker loads the .ts through tsx's API,
 * which is slower to start but only ever happens in development.
 */
export function runInWorker<Req, Res>(callerUrl: string, name: string, request: Req): Promise<Res> {
  const compiled = callerUrl.endsWith('.js');
  const worker = compiled
    ? new Worker(new URL(`./${name}.js`, callerUrl))
    : new Worker(
        `import('tsx/esm/api').then((api) => api.tsImport(${JSON.stringify(new URL(`./${name}.ts`, callerUrl).href)}, ${JSON.stringify(callerUrl)}))`,
        { eval: true },
      );
  return new Promise<Res>((resolve, reject) => {
    worker.once('message', (response: Res) => {
      resolve(response);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      reject(error);
      void worker.terminate();
    });
    worker.once('exit', (code) => {
      if (code !== 0 && code !== 1) reject(new Error(`worker ${name} exited with code ${code}`));
    });
    worker.postMessage(request);
  });
}
