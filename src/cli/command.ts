/** What every `tradetrace <command>` module exports. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface CommandModule {
  /** Runs the command; resolves to the process exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<CommandModule>;
  /**
   * A command that only reads the logs: a file error escaping it means a log it cannot read, told
   * in one line with exit code 3 (see investigate/exit-codes.ts) instead of a stack trace.
   */
  readonly readsLogs?: true;
}
