import { z } from 'zod';
import { keyMeta, type KeyMeta } from './keys.js';
import { alertsSection } from './sections/alerts.js';
import { dashboardSection } from './sections/dashboard.js';
import { exchangeSection } from './sections/exchange.js';
import { executionSection } from './sections/execution.js';
import { exitsSection } from './sections/exits.js';
import { marketDataSection } from './sections/market-data.js';
import { paperExchangeSection } from './sections/paper-exchange.js';
import { recorderSection } from './sections/recorder.js';
import { runtimeSection } from './sections/runtime.js';
import { strategySection } from './sections/strategy.js';
import { tradingSection } from './sections/trading.js';

/** Every section of the config, in the order docs and `tradetrace config` show them. */
export const SECTIONS = {
  trading: tradingSection,
  strategy: strategySection,
  execution: executionSection,
  exits: exitsSection,
  market_data: marketDataSection,
  paper_exchange: paperExchangeSection,
  exchange: exchangeSection,
  runtime: runtimeSection,
  dashboard: dashboardSection,
  recorder: recorderSection,
  alerts: alertsSection,
} as const;

export type SectionName = keyof typeof SECTIONS;

// Each section defaults as a whole, so a file may name only the keys it changes.
export const configSchema = z
  .object({
    trading: tradingSection.prefault({}),
    strategy: strategySection.prefault({}),
    execution: executionSection.prefault({}),
    exits: exitsSection.prefault({}),
    market_data: marketDataSection.prefault({}),
    paper_exchange: paperExchangeSection.prefault({}),
    exchange: exchangeSection.prefault({}),
    runtime: runtimeSection.prefault({}),
    dashboard: dashboardSection.prefault({}),
    recorder: recorderSection.prefault({}),
    alerts: alertsSection.prefault({}),
  })
  .strict();

/** The effective config the bot runs with: durations in milliseconds, money as Decimal. */
export type Config = z.output<typeof configSchema>;

/** One leaf of the schema: `section.key`, with how it is parsed and whether it is secret. */
export interface ConfigKey extends Readonly<KeyMeta> {
  readonly path: string;
  /** Parses one value of this key from any source. */
  readonly schema: z.ZodType;
  readonly section: SectionName;
  readonly name: string;
}

function buildKeys(): ReadonlyMap<string, ConfigKey> {
  const keys = new Map<string, ConfigKey>();
  for (const [section, schema] of Object.entries(SECTIONS) as [SectionName, z.ZodObject][]) {
    for (const [name, leaf] of Object.entries(schema.shape)) {
      const meta = keyMeta(leaf as z.ZodType);
      if (!meta) throw new Error(`config key ${section}.${name} is not built with key.*`);
      const path = `${section}.${name}`;
      keys.set(path, { ...meta, path, section, name, schema: leaf as z.ZodType });
    }
  }
  return keys;
}

/** Every config key by dotted path, in schema order. */
export const CONFIG_KEYS: ReadonlyMap<string, ConfigKey> = buildKeys();

/** Paths of the keys the schema marks secret. */
export const SECRET_PATHS: ReadonlySet<string> = new Set([...CONFIG_KEYS.values()].filter((k) => k.secret).map((k) => k.path));
