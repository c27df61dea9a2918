import { main } from './main.js';

// The process entry when run from source (tsx src/cli/entry.ts ...); bin/tradetrace.js does the same for dist/.
process.exitCode = await main(process.argv.slice(2));
