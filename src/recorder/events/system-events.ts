import { z } from 'zod';
import { defineEvent } from './event-definition.js';
import { field } from './fields.js';

export const registeredThreadSchema = z.object({
  name: z.string().describe('loop name, e.g. DecisionLoop'),
  alive: z.boolean().describe('true while its last beat is younger than its stall threshold'),
  daemon: z.boolean().describe('true when shutdown need not wait for it'),
  last_beat_age_s: z.number().nullable().describe('seconds since its last beat (null: never beat)'),
  period_s: z.number().describe('how often it promised to beat'),
});

export const recentHeartbeatSchema = z.object({
  name: z.string().describe('loop that beat'),
  ts: z.string().describe('when (ISO 8601 UTC)'),
});

export const componentStopSchema = z.object({
  name: z.string().describe('component name'),
  result: z.enum(['stopped', 'timeout', 'error']).describe('how its stop ended'),
  duration_ms: z.number().describe('time its stop took'),
  error: z.string().optional().describe('the error, when result is error'),
});

/** Process health: heartbeats, shutdown, errors and free-text logs. */
export const systemEvents = {
  SHUTDOWN_HEARTBEAT: defineEvent({
    channel: 'system',
    level: 'info',
    meaning: 'Periodic health of every registered loop, written by a watchdog thread even when the main loop hangs.',
    requires: 'none',
    fields: {
      registered_components: field.json(z.array(z.string()), 'components registered for ordered shutdown'),
      registered_threads: field.json(z.array(registeredThreadSchema), 'loops and whether each is alive'),
      recent_heartbeats: field.json(z.array(recentHeartbeatSchema), 'the last beats received, newest last'),
      last_heartbeat_age_s: field.number('seconds since any loop last beat'),
      shutdown_requested: field.bool('true once shutdown has begun'),
      event_loop_blocked_ms: field.number('how long the main event loop has not answered (0 when healthy)'),
      trigger: field.oneOf(['interval', 'shutdown'], 'periodic, or written as shutdown begins'),
      stats: field.json(z.record(z.string(), z.number()), 'counters: shutdown_requests, heartbeats_logged, beats_received; paused_ms (time since the previous heartbeat the process was not running: SIGSTOP, a suspended machine) and pauses (such gaps in the session), from the watchdog thread'),
    },
  }),
  SHUTDOWN_REQUESTED: defineEvent({
    channel: 'system',
    level: 'warn',
    meaning: 'Shutdown began; says why and what is still running.',
    requires: 'none',
    fields: {
      reason: field.id('signal name (SIGINT, SIGTERM, SIGHUP, SIGQUIT) or data_end, duration_reached, fatal'),
      running: field.json(z.array(z.string()), 'components and loops still running'),
      forced: field.bool('true when a second request forces exit without waiting for the stops').optional(),
    },
  }),
  SHUTDOWN_COMPLETE: defineEvent({
    channel: 'system',
    level: 'info',
    meaning: 'Shutdown finished; how each component stopped and how long it took.',
    requires: 'none',
    fields: {
      components: field.json(z.array(componentStopSchema), 'stop result per component, in stop order'),
      exit_code: field.int('the exit code the process leaves with'),
      duration_ms: field.number('total shutdown time'),
    },
  }),
  ERROR: defineEvent({
    channel: 'system',
    level: 'error',
    meaning: 'An error the bot survived.',
    requires: 'none',
    fields: {
      error_code: field.id('machine-readable error code'),
      message: field.text('the error message'),
      component: field.id('where it happened').optional(),
      stack: field.text('stack trace').optional(),
    },
  }),
  FATAL: defineEvent({
    channel: 'system',
    level: 'fatal',
    meaning: 'An error the process cannot survive; written synchronously before exit.',
    requires: 'none',
    fields: {
      origin: field.id('uncaughtException, unhandledRejection, or the component that gave up'),
      error_code: field.id('machine-readable error code'),
      message: field.text('the error message'),
      stack: field.text('stack trace').optional(),
    },
  }),
  LOG: defineEvent({
    channel: 'system',
    level: 'info',
    meaning: 'Free text from a component.',
    requires: 'none',
    fields: {
      message: field.text('the message'),
      component: field.id('who wrote it').optional(),
      data: field.json(z.record(z.string(), z.unknown()), 'structured details').optional(),
    },
  }),
};
