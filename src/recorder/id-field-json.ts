import { flat } from './flat-string.js';
import { redactionEpoch } from './redaction.js';
import { jsonId } from './serializer.js';

/**
 * The serialized `,"<key>":"<id>"` of a trace id field, kept for the last id seen: consecutive
 * lines of one decision or intent reuse it. A secret registered after an id was cached must still
 * be scrubbed from it, so a change of redaction epoch forgets the cached text.
 */
export class IdFieldJson {
  private lastId: string | undefined;
  private lastJson = '';
  private epoch = redactionEpoch();

  constructor(private readonly key: string) {}

  of(id: string): string {
    const epoch = redactionEpoch();
    if (id !== this.lastId || epoch !== this.epoch) {
      this.lastId = id;
      this.epoch = epoch;
      this.lastJson = flat(`,"${this.key}":${jsonId(id)}`);
    }
    return this.lastJson;
  }
}
