import type { SessionManifest } from './log-set.js';

/** Why a session ended badly, as its manifest records it (`failure`: code and message). */
export interface ManifestFailure {
  readonly code: string;
  readonly message: string;
}

/**
 * The manifest's `failure`, when it has a well-formed one (manifests written before it existed have
 * none). A start refused because its logs could not be opened wrote no SESSION_END: this is the only
 * record of why.
 */
export function manifestFailure(manifest: SessionManifest | undefined): ManifestFailure | undefined {
  const failure: unknown = (manifest as { failure?: unknown } | undefined)?.failure;
  if (failure === null || typeof failure !== 'object') return undefined;
  const { code, message } = failure as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string' ? { code, message } : undefined;
}

/** The sessions whose manifest says they were refused before trading, oldest first by id. */
export function refusedInManifests(manifests: ReadonlyMap<string, SessionManifest>): string[] {
  return [...manifests].filter(([, m]) => m.exit_reason === 'refused').map(([id]) => id).sort();
}
