/** What a query knows of its data directory: where it read, and whether --data-dir said so. */
export interface DataDirChoice {
  /** The resolved (absolute) data directory. */
  readonly dataDir: string;
  /** The parsed flags, of which only data-dir is read. */
  readonly values: Readonly<Record<string, unknown>>;
}

/**
 * The data directory a query's printed follow-up commands must name, or undefined when they would
 * find it by themselves. Only a --data-dir flag makes it necessary: a directory chosen by
 * $TRADETRACE_DATA_DIR or the default ./data is chosen again for the pasted command, which runs in
 * the same shell. The absolute path is given, so the command also runs from another directory.
 */
export function followUpDataDir(flags: DataDirChoice): string | undefined {
  return typeof flags.values['data-dir'] === 'string' ? flags.dataDir : undefined;
}
