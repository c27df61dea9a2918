/** What a query's exit code tells a script (grep's convention, plus one for "nothing to search"). */
export const EXIT = {
  /** The answer was found and printed. */
  found: 0,
  /** The logs were searched and hold no such thing. */
  notFound: 1,
  /** Bad flags or arguments. */
  usage: 2,
  /** No logs at all: missing or empty directory. */
  noLogs: 3,
  /**
   * The logs exist but cannot be read (permission, a file where a directory belongs, a disk error):
   * like no logs, nothing could be searched, so the same code; the message names the path.
   */
  unreadable: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
