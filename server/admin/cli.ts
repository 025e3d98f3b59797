/**
 * `npm run admin -- <command>`: the office service's PKI and directory (docs/it-rollout.md).
 * Exit codes: 0 done (or usage asked for with --help), 1 failed (the home refused), 2 usage error.
 */
import { AdminFailure } from '../pki/office-ca.js';
import { runAdmin, USAGE, UsageError } from './commands.js';

try {
  process.stdout.write((await runAdmin(process.argv.slice(2))) + '\n');
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else if (error instanceof AdminFailure) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
