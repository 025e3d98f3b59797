/**
 * `vermittlung-admin`: `npm run admin` of the installed server. `--home` defaults to the package's
 * home and `backup`/`restore` take the database of /etc/vermittlung/vermittlung.conf, so IT types
 * `vermittlung-admin user list`. Run as root, it leaves the home's files owned and readable the way
 * the units need them (packaging/server/permissions.ts).
 */
import { AdminFailure } from '../../server/pki/office-ca.js';
import { runAdmin, USAGE, UsageError } from '../../server/admin/commands.js';
import { fixHomePermissions } from './permissions.js';

export const PACKAGED_HOME = '/var/lib/vermittlung';

function withDefaults(argv: string[], env: NodeJS.ProcessEnv): { argv: string[]; home: string } {
  const args = [...argv];
  const given = args.findIndex((arg) => arg === '--home' || arg.startsWith('--home='));
  let home = env.VERMITTLUNG_HOME || PACKAGED_HOME;
  if (given < 0) args.push('--home', home);
  else home = args[given]!.startsWith('--home=') ? args[given]!.slice('--home='.length) : (args[given + 1] ?? home);
  const group = args[0];
  const database = env.VERMITTLUNG_DATABASE;
  if ((group === 'backup' || group === 'restore') && database && !args.some((arg) => arg.startsWith('--database'))) {
    args.push('--database', database);
  }
  return { argv: args, home };
}

const { argv, home } = withDefaults(process.argv.slice(2), process.env);
try {
  // `fix-permissions` only sets the home up for the units (the package's postinst runs it).
  if (argv[0] !== 'fix-permissions') process.stdout.write((await runAdmin(argv)) + '\n');
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n${USAGE.replace('npm run admin --', 'vermittlung-admin')}\n`);
    process.exitCode = 2;
  } else if (error instanceof AdminFailure) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    const code = (error as NodeJS.ErrnoException).code;
    process.stderr.write(
      code === 'EACCES'
        ? `error: ${(error as Error).message} (run vermittlung-admin as root: the CA key is readable by root only)\n`
        : `error: ${(error as Error).stack ?? String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
const user = process.env.VERMITTLUNG_SERVICE_USER;
if (user && process.getuid?.() === 0) {
  try {
    fixHomePermissions(home, user);
  } catch (error) {
    process.stderr.write(`warning: could not set the permissions of ${home}: ${(error as Error).message}\n`);
  }
}
