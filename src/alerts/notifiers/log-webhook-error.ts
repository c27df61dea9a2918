import type { Recorder } from '../../recorder/recorder.js';
import type { WebhookError } from './webhook-error.js';

/** The WebhookNotifier `onError` that records a given-up delivery as an ERROR line (never fatal). */
export function logWebhookError(recorder: Recorder): (error: WebhookError) => void {
  return (error) => {
    recorder.emit('ERROR', {
      error_code: `webhook_${error.code}`,
      // An `undelivered` report already names the URL and every alert it gave up on.
      message: error.code === 'undelivered' ? error.message : `${error.message} (${error.details.url}, ${error.details.attempts} attempt(s), alert ${error.details.alertId})`,
      component: 'alerts.webhook',
    });
  };
}
