import type { Decimal } from '../domain/decimal.js';

/** Prices keep the digits that matter at their size: 45000.00, 1.2345, 0.00160000. */
export function formatPrice(value: Decimal): string {
  const abs = value.abs().toNumber();
  return value.toFixed(abs >= 1000 ? 2 : abs >= 1 ? 4 : 8);
}

/** Quantities and balances as exact text, cut to 8 decimals for display. */
export function formatQty(value: Decimal): string {
  const text = value.toString();
  const dot = text.indexOf('.');
  return dot >= 0 && text.length - dot - 1 > 8 ? value.toFixed(8) : text;
}

/** Signed money: +12.34, -0.50, and more places when the amount is below a cent. */
export function formatPnl(value: Decimal): string {
  const abs = value.abs().toNumber();
  const text = value.toFixed(abs !== 0 && abs < 0.01 ? 6 : 2);
  return value.isNegative() ? text : `+${text}`;
}

/**
 * Fees paid: 0.47 from a cent up; below it, the amount's own digits (up to 8 places), so a fee in
 * BTC (0.00037645) is not shown as 0.00.
 */
export function formatFees(value: Decimal): string {
  return value.abs().toNumber() >= 0.01 || value.isZero() ? value.toFixed(2) : formatQty(value);
}

export function formatClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** 0.2s, 59.9s, 1m35s, 2h05m: rounded once, so 119.6 s is 2m0s, never 1m60s. */
export function formatAge(seconds: number | null): string {
  if (seconds === null) return 'never';
  const tenths = Math.round(seconds * 10) / 10;
  if (tenths < 60) return `${tenths.toFixed(1)}s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${whole % 60}s`;
  const minutes = Math.round(whole / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
