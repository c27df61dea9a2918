import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Recorder } from '../../recorder/recorder.js';
import { createTradeMetrics, type TradeMetricsOptions } from './trade-metrics.js';

export interface MetricsServerOptions extends TradeMetricsOptions {
  readonly recorder: Recorder;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Default 127.0.0.1: metrics reveal trading activity, so exposing them is an explicit choice. */
  readonly host?: string;
}

export interface MetricsServer {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Stops the server and the recorder subscription. */
  close(): Promise<void>;
}

export class MetricsServerError extends Error {
  readonly code = 'listen_failed';
  constructor(message: string, readonly retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetricsServerError';
  }
}

/**
 * Serves `/metrics` (Prometheus text format) for the recorder's session. The paper command wires it
 * behind `--metrics-port N` (off by default):
 *   const metrics = await startMetricsServer({ recorder, port, configHash, logsDir });
 *   ... on shutdown: await metrics?.close();
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw new MetricsServerError(`metrics port ${options.port}: expected an integer from 0 to 65535`, false);
  }
  const { registry, unsubscribe } = createTradeMetrics(options.recorder, options);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(error)}\n`),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    unsubscribe();
    const code = (error as { code?: string }).code;
    throw new MetricsServerError(`cannot serve metrics on ${host}:${options.port}: ${code ?? String(error)}`, code === 'EADDRINUSE', { cause: error });
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    port,
    host,
    close: () =>
      new Promise<void>((resolve, reject) => {
        unsubscribe();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
