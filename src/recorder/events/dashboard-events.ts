import { z } from 'zod';
import { defineEvent } from './event-definition.js';
import { field } from './fields.js';

/** What the operator saw on the dashboard, and which code raised it. */
export const dashboardEvents = {
  DASH_EVENT: defineEvent({
    channel: 'dashboard',
    level: 'info',
    meaning: 'A dashboard notification, with the source file:line that raised it.',
    requires: 'none',
    fields: {
      dashboard_event_type: field.id('notification type, e.g. BUY_FILLED'),
      message: field.text('what the dashboard showed, e.g. BTC/USDT @ $45000.00'),
      source: field.id('file:line of the caller, relative to the project root'),
      timestamp: field.id('wall-clock time shown on the dashboard (HH:MM:SS, UTC)'),
      data: field.json(z.record(z.string(), z.unknown()), 'structured details delivered with the notification').optional(),
    },
  }),
};
