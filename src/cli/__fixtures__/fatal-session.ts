// Starts a demo-mode session, then dies of an uncaught error in a timer: the session must end as
// `fatal` (FATAL, SESSION_END, manifest) and the process exit 1. argv: <data dir>
import { startSession } from '../session-bootstrap.js';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: <data dir>');
const started = await startSession({
  mode: 'demo',
  argv: ['fixture'],
  io: { stdout: process.stdout, stderr: process.stderr, env: {}, cwd: process.cwd() },
  flags: { dataDir },
});
if (!started.ok) process.exit(started.exitCode);
started.value.recorder.emit('LOG', { message: 'about to fail' });
setTimeout(() => {
  throw Object.assign(new Error('engine exploded'), { code: 'E_ENGINE' });
}, 10);
