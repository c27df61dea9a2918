// npm run docs: writes docs/events.md and docs/events.schema.json from the event catalog.
// src/recorder/event-docs.test.ts fails when the committed files differ from what this writes.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderJsonSchema, renderMarkdown } from '../src/recorder/event-docs.js';

const docs = resolve(import.meta.dirname, '../docs');
writeFileSync(resolve(docs, 'events.md'), renderMarkdown());
writeFileSync(resolve(docs, 'events.schema.json'), renderJsonSchema());
console.log(`wrote ${resolve(docs, 'events.md')} and ${resolve(docs, 'events.schema.json')}`);
