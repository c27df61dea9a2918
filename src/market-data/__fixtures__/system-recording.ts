import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineSchema, type EventType } from '../../recorder/events/catalog.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';

export type SystemLine = Record<string, unknown> & { event_type: EventType };

export interface SystemRecording {
  readonly recorder: Recorder;
  /** When (performance.now) each line was written, in order. */
  readonly seen: Array<{ type: EventType; at: number }>;
  /** The system.jsonl lines written so far, each validated against the catalog. */
  readonly lines: () => SystemLine[];
}

/** A recorder on real files in `dir`, and what it wrote to system.jsonl (the feed's channel). */
export function systemRecording(dir: string): SystemRecording {
  const recorder = new Recorder({ sessionId: 'session_20240101_000000', sink: new FileSink(dir) });
  const seen: Array<{ type: EventType; at: number }> = [];
  recorder.onLine((type) => seen.push({ type, at: performance.now() }));
  return {
    recorder,
    seen,
    lines: () => {
      recorder.flush();
      return readFileSync(join(dir, 'system.jsonl'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((text) => {
          const line = JSON.parse(text) as SystemLine;
          lineSchema(line.event_type).parse(line);
          return line;
        });
    },
  };
}
