// A process with a timer that would keep it alive for a minute (a component's stop timeout still
// running): leaveNow must end it at once, after its output.
import { leaveNow } from '../paper/leave-now.js';

setTimeout(() => undefined, 60_000);
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
io.stdout.write(`${'summary line\n'.repeat(2000)}the end\n`);
io.stderr.write('cut short\n');
leaveNow(io, 1);
