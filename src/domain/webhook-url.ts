/**
 * Why a text cannot be a webhook URL: not a URL at all, not http(s), or one carrying
 * user:password@, which fetch refuses on every attempt (quoting the URL, password included).
 */
export type WebhookUrlProblem = 'not_a_url' | 'not_http' | 'has_credentials';

/** What a webhook URL must be, as the config's problem text and the notifier's refusals say it. */
export const WEBHOOK_URL_EXPECTED = 'an http(s) URL with no user:password@ (fetch cannot send it; put the token in the path or query)';

/**
 * The one check of a webhook URL, shared by the config schema (alerts.webhook_url) and the
 * notifier: the config refused only what was not http(s), so `config` printed a hash and exit 0
 * for http://user:pw@host/ while `paper` refused it (exit 2) after its SESSION_START.
 */
export function webhookUrlProblem(url: string): WebhookUrlProblem | undefined {
  if (!URL.canParse(url)) return 'not_a_url';
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'not_http';
  if (parsed.username !== '' || parsed.password !== '') return 'has_credentials';
  return undefined;
}
