/** A strategy or guard option that cannot work; retrying with the same options cannot help. */
export class StrategyOptionsError extends Error {
  readonly code = 'invalid_strategy_options' as const;
  readonly retryable = false;

  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`invalid strategy option ${option}=${JSON.stringify(value)}: expected ${expected}`);
    this.name = 'StrategyOptionsError';
  }
}
