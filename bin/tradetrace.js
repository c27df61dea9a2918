#!/usr/bin/env node
// Source maps let DASH_EVENT name the TypeScript file and line even when running compiled JavaScript.
process.setSourceMapsEnabled(true);
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
