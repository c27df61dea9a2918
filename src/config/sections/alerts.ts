import { z } from 'zod';
import { key, secret } from '../keys.js';

/** Alert rules over the flight record and where alerts go. */
export const alertsSection = z
  .object({
    order_failure_rate: key.number(0.5, { min: 0, max: 1 }, 'alert when this share of order intents fail within the window'),
    order_failure_window: key.duration('15m', { min: '10s', max: '1d' }, 'window of the order failure rate'),
    order_failure_min_count: key.int(4, { min: 1, max: 10_000 }, 'intents needed in the window before the rate is judged'),
    heartbeat_missing_multiple: key.number(3, { min: 1, max: 100 }, 'alert when no heartbeat arrived for this many heartbeat intervals'),
    config_drift: key.bool(true, 'alert on CONFIG_DIFF (the session whose own change turns this off still alerts on that change)'),
    // A webhook URL usually embeds its token, so it is treated as a credential.
    webhook_url: secret(key.optionalUrl('where alerts are POSTed (secret: the URL carries a token)')),
    metrics_port: key.int(0, { min: 0, max: 65_535 }, 'Prometheus metrics port (0: off)'),
  })
  .strict();
