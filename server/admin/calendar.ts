import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TenantId } from '../../protocol/sync.js';
import { serviceCalendarUrl } from '../home/directory.js';
import { feedPath, newCalendarToken } from '../calendar/token.js';
import { AdminFailure } from '../pki/office-ca.js';
import { DATABASE_OPTION, checkDatabaseUrl, withOfficeCa } from './admin-directory.js';

/**
 * `calendar url TENANT --home DIR` prints the firm's feed URL on the feed listener (creating its token
 * on first use), never the sync server's URL: the sync port refuses every client without a certificate;
 * `calendar revoke TENANT --home DIR` replaces the token, so the old URL answers 404 as soon as the
 * running server has reloaded the directory (it watches the file, or hears PostgreSQL), and prints the new URL.
 */

/** `usage` builds the CLI's UsageError (exit code 2); passed in because commands.ts dispatches here. */
export async function runCalendar(
  action: string | undefined,
  argv: string[],
  usage: (message: string) => Error,
): Promise<string> {
  if (action !== 'url' && action !== 'revoke') throw usage(`unknown command "calendar${action ? ` ${action}` : ''}"`);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { home: { type: 'string' }, 'calendar-url': { type: 'string' }, ...DATABASE_OPTION },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usage((error as Error).message);
  }
  if (parsed.positionals.length !== 1) throw usage('expected exactly one TENANT');
  const tenantId = TenantId.safeParse(parsed.positionals[0]);
  if (!tenantId.success) throw usage(`tenant ID "${parsed.positionals[0]}" is not valid`);
  const home = parsed.values.home;
  if (!home) throw usage('--home is required');
  const override = parsed.values['calendar-url'];
  if (override !== undefined && !/^https:\/\/[^/\s]+/.test(override)) throw usage('--calendar-url must start with https://');

  const database = checkDatabaseUrl(parsed.values.database, usage);
  const { url, tenant } = await withOfficeCa(resolve(home), database, async (ca) => {
    if (!ca.exists()) throw new AdminFailure(`no CA in ${ca.layout.home}: run \`ca init --home ${ca.layout.home}\` first`);
    const directory = await ca.directory();
    const tenant = directory.tenants.find((t) => t.id === tenantId.data);
    if (!tenant) throw new AdminFailure(`unknown tenant "${tenantId.data}"`);
    const base = override ?? (directory.service ? serviceCalendarUrl(directory.service) : undefined);
    if (!base) throw new AdminFailure('the directory has no service settings (from `ca init`); pass --calendar-url https://…');
    let token = tenant.calendarToken;
    if (action === 'revoke' || !token) {
      token = newCalendarToken();
      await ca.saveDirectory({
        ...directory,
        tenants: directory.tenants.map((t) => (t.id === tenant.id ? { ...t, calendarToken: token } : t)),
      });
    }
    return { url: new URL(feedPath(token), base).toString(), tenant };
  });
  if (action === 'url') return url;
  return [
    `the previous calendar URL of ${tenant.id} is revoked (the running server answers 404 for it within seconds)`,
    `new URL (give it to the craftsman; subscribed calendars must be re-subscribed with it):`,
    url,
  ].join('\n');
}
