import type { OrderRule } from '../domain/order-validation.js';
import { sanitizeText } from '../recorder/redaction.js';

/**
 * What can go wrong talking to an exchange, by what the caller should do about it. `retryable` says
 * whether the same request may succeed later. Messages pass through `sanitizeText` when built, so an
 * exchange error never carries an API key or signature echoed back from a request.
 */
export type ExchangeError =
  /** No answer in time. `mayHaveReached`: the request left, so the order may exist; fetch it before resending. */
  | { readonly code: 'timeout'; readonly retryable: true; readonly mayHaveReached: boolean; readonly message: string }
  /** Too many requests; `retryAfterMs` when the exchange said how long to wait. */
  | { readonly code: 'rate_limited'; readonly retryable: true; readonly retryAfterMs: number | null; readonly message: string }
  /** The connection failed before the request was sent (refused, DNS, TLS): nothing reached the exchange. */
  | { readonly code: 'network'; readonly retryable: true; readonly message: string }
  /** The exchange is in maintenance or overloaded and said so. */
  | { readonly code: 'unavailable'; readonly retryable: true; readonly message: string }
  /** Refused by the exchange for a reason of its own (risk limits, market closed, ...). */
  | { readonly code: 'rejected'; readonly retryable: false; readonly message: string }
  | {
      readonly code: 'insufficient_balance';
      readonly retryable: false;
      readonly asset: string;
      readonly message: string;
    }
  /** Breaks a market rule; `rule` says which one when the exchange tells. */
  | { readonly code: 'invalid_order'; readonly retryable: false; readonly rule: OrderRule | 'unknown_symbol' | 'unsupported'; readonly message: string }
  | { readonly code: 'not_found'; readonly retryable: false; readonly message: string }
  /** The client order id was used already: the exchange refuses a second order under it. */
  | { readonly code: 'duplicate_order'; readonly retryable: false; readonly message: string };

export type ExchangeErrorCode = ExchangeError['code'];

export type ExchangeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ExchangeError };

/** Builders: the only way execution code makes an ExchangeError, so every message is sanitized. */
export const exchangeError = {
  timeout: (message: string, mayHaveReached: boolean): ExchangeError => ({
    code: 'timeout', retryable: true, mayHaveReached, message: sanitizeText(message),
  }),
  rateLimited: (message: string, retryAfterMs: number | null = null): ExchangeError => ({
    code: 'rate_limited', retryable: true, retryAfterMs, message: sanitizeText(message),
  }),
  network: (message: string): ExchangeError => ({ code: 'network', retryable: true, message: sanitizeText(message) }),
  unavailable: (message: string): ExchangeError => ({ code: 'unavailable', retryable: true, message: sanitizeText(message) }),
  rejected: (message: string): ExchangeError => ({ code: 'rejected', retryable: false, message: sanitizeText(message) }),
  insufficientBalance: (asset: string, message: string): ExchangeError => ({
    code: 'insufficient_balance', retryable: false, asset, message: sanitizeText(message),
  }),
  invalidOrder: (rule: OrderRule | 'unknown_symbol' | 'unsupported', message: string): ExchangeError => ({
    code: 'invalid_order', retryable: false, rule, message: sanitizeText(message),
  }),
  notFound: (message: string): ExchangeError => ({ code: 'not_found', retryable: false, message: sanitizeText(message) }),
  duplicateOrder: (message: string): ExchangeError => ({ code: 'duplicate_order', retryable: false, message: sanitizeText(message) }),
};

export function failure(error: ExchangeError): { readonly ok: false; readonly error: ExchangeError } {
  return { ok: false, error };
}
