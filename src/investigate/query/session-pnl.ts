/** A session's realized PnL by currency (decimal text, as its SESSION_END summary gives it), in the summary's order. */
export type PnlByCurrency = Record<string, string>;

const DECIMAL = /^-?\d+(\.\d+)?$/;
const ZERO = /^-?0(\.0+)?$/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && DECIMAL.test(value) ? value : undefined;
}

/**
 * The session's realized PnL per currency from its SESSION_END summary (src/engine/session-summary.ts):
 * `pnl_by_currency.<C>.realized_pnl` for each currency, or, from a summary written before PnL was
 * kept per currency, `realized_pnl` in `quote_currency`. Never summed across currencies. Null when
 * the summary does not say (no SESSION_END, a live session's, a summary without PnL).
 */
export function realizedPnl(summary: unknown): PnlByCurrency | null {
  if (summary === null || typeof summary !== 'object') return null;
  const s = summary as Record<string, unknown>;
  const quote = typeof s['quote_currency'] === 'string' && s['quote_currency'] !== '' ? s['quote_currency'] : '?';
  const byCurrency = s['pnl_by_currency'];
  if (byCurrency !== null && typeof byCurrency === 'object') {
    const out: PnlByCurrency = {};
    for (const [currency, pnl] of Object.entries(byCurrency as Record<string, unknown>)) {
      const amount = pnl !== null && typeof pnl === 'object' ? text((pnl as Record<string, unknown>)['realized_pnl']) : undefined;
      // The summary lists every currency the data directory holds PnL in; another than the session's
      // own quote currency is only this session's when it booked something in it (a reconciled fill).
      if (amount !== undefined && (currency === quote || !ZERO.test(amount))) out[currency] = amount;
    }
    if (Object.keys(out).length > 0) return out;
  }
  const amount = text(s['realized_pnl']);
  return amount === undefined ? null : { [quote]: amount };
}
