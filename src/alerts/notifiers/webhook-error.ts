/** `undelivered`: at shutdown, the bounded drain ran out with alerts still queued or in flight (one error for them all). */
export type WebhookErrorCode = 'http_status' | 'timeout' | 'network' | 'queue_full' | 'undelivered';

/** A webhook delivery that was given up on. `retryable` says whether the last failure was transient. */
export class WebhookError extends Error {
  constructor(
    readonly code: WebhookErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly details: { readonly url: string; readonly alertId: string; readonly attempts: number; readonly status?: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WebhookError';
  }
}
