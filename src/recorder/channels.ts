/** The log files of the flight recorder: one channel per concern, each a JSONL file under `<data-dir>/logs/`. */
export const CHANNELS = ['decisions', 'orders', 'audit', 'system', 'dashboard', 'alerts'] as const;
export type Channel = (typeof CHANNELS)[number];

export function channelFileName(channel: Channel): string {
  return `${channel}.jsonl`;
}

export const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];
