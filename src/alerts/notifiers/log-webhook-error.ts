import type { Recorder } from '../../recorder/recorder.js';
import type { WebhookError } from './webhook-error.js';
import { maskUrlsInText } from './webhook-notifier.js';

/**
 * The WebhookNotifier `onError` that records a given-up delivery as an ERROR line (never fatal). The
 * notifier already shows its URL only as scheme://host[:port]/…; any URL-looking text left in the
 * line is masked once more, so no path, query or user:password@ of a webhook ever reaches the log.
 */
export function logWebhookError(recorder: Recorder): (error: WebhookError) => void {
  return (error) => {
    recorder.emit('ERROR', {
      error_code: `webhook_${error.code}`,
      // An `undelivered` report already names the URL and every alert it gave up on.
      message: maskUrlsInText(error.code === 'undelivered' ? error.message : `${error.message} (${error.details.url}, ${error.details.attempts} attempt(s), alert ${error.details.alertId})`),
      component: 'alerts.webhook',
    });
  };
}
