// Claims one session dir for a fixed instant. It says "ready", then spins until the parent creates
// the go-file, so that every child races for the same ids at the same moment.
// argv: <sessions root> <ISO instant> <go-file>
import { existsSync } from 'node:fs';
import { createSessionDir } from '../session-dir.js';

const [root, instant, goFile] = process.argv.slice(2);
if (root === undefined || instant === undefined || goFile === undefined) throw new Error('usage: <root> <instant> <go-file>');
process.stdout.write('ready\n');
while (!existsSync(goFile)) {
  // Spin rather than sleep: a timer would spread the children out again.
}
const { sessionId } = createSessionDir(root, new Date(instant));
process.stdout.write(`${sessionId}\n`);
