import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLine } from '../../recorder/line-parser.js';
import type { ExchangeResult } from '../exchange-error.js';
import type { Balance, Exchange, ExchangeOrder, PlaceOrderRequest } from '../exchange.js';
import type { MarketRules } from '../../domain/market-rules.js';

/**
 * Wraps an exchange for tests: when an order arrives, it reads `<logsDir>/orders.jsonl` from disk
 * and records whether that attempt's ORDER_CONTEXT (same client_order_id) is already there, so a
 * test proves the line was written before the exchange saw the order. It also counts calls.
 */
export class CheckedExchange implements Exchange {
  readonly name: string;
  readonly placed: PlaceOrderRequest[] = [];
  readonly fetched: string[] = [];
  /** Client order ids that reached placeOrder with no ORDER_CONTEXT on disk. */
  readonly missingContext: string[] = [];
  /** Runs inside placeOrder after the check, before the order is forwarded. */
  onPlace?: (request: PlaceOrderRequest) => void;

  constructor(
    private readonly inner: Exchange,
    private readonly logsDir: string,
  ) {
    this.name = `checked-${inner.name}`;
  }

  markets(): Promise<ExchangeResult<readonly MarketRules[]>> {
    return this.inner.markets();
  }

  balances(): Promise<ExchangeResult<readonly Balance[]>> {
    return this.inner.balances();
  }

  placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    this.placed.push(request);
    if (!this.contextOnDisk(request.clientOrderId)) this.missingContext.push(request.clientOrderId);
    this.onPlace?.(request);
    return this.inner.placeOrder(request);
  }

  fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    this.fetched.push(clientOrderId);
    return this.inner.fetchOrderByClientId(symbol, clientOrderId);
  }

  cancelOrder(symbol: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>> {
    return this.inner.cancelOrder(symbol, clientOrderId);
  }

  private contextOnDisk(clientOrderId: string): boolean {
    const file = join(this.logsDir, 'orders.jsonl');
    if (!existsSync(file)) return false;
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .some((line) => {
        const parsed = parseLine(line, true);
        return parsed.ok && parsed.value.event_type === 'ORDER_CONTEXT' && parsed.value.client_order_id === clientOrderId;
      });
  }
}
