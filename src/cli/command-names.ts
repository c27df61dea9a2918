/** Every `tradetrace <command>`: main.ts dispatches exactly these, and printed suggestions name them. */
export const COMMAND_NAMES = ['paper', 'demo', 'config', 'trace', 'orders', 'why', 'drift', 'health', 'dash', 'sessions', 'alerts'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];
