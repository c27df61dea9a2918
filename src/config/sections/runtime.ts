import { z } from 'zod';
import { key } from '../keys.js';

/** Process health: heartbeats and shutdown. */
export const runtimeSection = z
  .object({
    heartbeat_interval: key.duration('30s', { min: '100ms', max: '1h' }, 'how often SHUTDOWN_HEARTBEAT is written'),
    stall_multiple: key.number(3, { min: 1, max: 100 }, 'a loop is stalled after this many of its periods without a beat'),
    component_stop_timeout: key.duration('5s', { min: '100ms', max: '5m' }, 'how long each component may take to stop'),
    shutdown_timeout: key.duration('20s', { min: '1s', max: '10m' }, 'total time shutdown may take before the process exits anyway'),
  })
  .strict();
