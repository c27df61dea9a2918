/**
 * Why a start was refused over the paper exchange account: the bot's books (state.sqlite) are
 * there and hold orders, but the account they were traded on (paper-exchange.sqlite) is not.
 * The mirror of the store's `state_lost`, with the same shape (code, details, retryable).
 */
export type LostAccountErrorCode = 'account_lost';

export interface LostAccountErrorDetails {
  readonly path: string;
  readonly found: string;
  readonly expected: string;
}

export class LostAccountError extends Error {
  override readonly name = 'LostAccountError';
  /** The files must change first: the same start refuses again until they do. */
  readonly retryable = false;

  constructor(
    readonly code: LostAccountErrorCode,
    message: string,
    readonly details: LostAccountErrorDetails,
  ) {
    super(message);
  }
}
