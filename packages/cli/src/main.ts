import { runCli } from './program.js';

/** `stuf` entry: run the command, then exit with its code (a server started by `stuf serve` keeps running). */
const { code, keepAlive } = await runCli(process.argv.slice(2));
process.exitCode = code;
if (!keepAlive) {
  // Let stdout drain, then make sure idle keep-alive sockets do not hold the process open.
  setTimeout(() => process.exit(code), 200).unref();
}
