import { main } from './main.js';

// The process entry when run from source (tsx src/cli/entry.ts ...) or compiled (node dist/cli/entry.js ...).
// Source maps let DASH_EVENT name the TypeScript file and line when compiled too, as bin/tradetrace.js
// does: the same line of code must not be two sources in `tradetrace dash` depending on how the bot was started.
process.setSourceMapsEnabled(true);
process.exitCode = await main(process.argv.slice(2));
