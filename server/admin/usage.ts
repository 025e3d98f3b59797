/**
 * The admin commands' usage lines, apart from the commands: `--help` and a usage error print them without
 * loading what the commands need (PDF writer, databases, X.509), so every `npm run admin` starts quickly.
 */
import { DEFAULT_GREETING_TEMPLATE } from '../../protocol/greeting.js';

export const TENANT_USAGE = `  tenant add ID --name "…" --number +49… [--number …] [--mobile +49…] [--greeting "…"] [--hours "…"]
                [--ring-seconds N] [--craftsman-fallback yes|no] [--mail-to ADDRESS] --home DIR [--database postgres://…]
  tenant set ID [--name "…"] [--number +49…]… [--mobile +49… | --no-mobile] [--greeting "…" | --no-greeting] [--hours "…"]
                [--ring-seconds N] [--craftsman-fallback yes|no] [--mail-to ADDRESS | --no-mail-to] --home DIR [--database postgres://…]
      --mail-to: the craftsman's e-mail address; forwarded scans are sent there (needs the server's --smtp-host)
      greeting placeholders: {gruss} (Guten Morgen/Tag/Abend), {firma}, {name} (whoever answers);
      without a greeting a firm uses "${DEFAULT_GREETING_TEMPLATE}"`;

export const HOURS_USAGE = `  tenant hours ID --home DIR [--database postgres://…] [--day "Di 08:00-12:00[,13:00-15:00]"]… [--no-hours]
      [--bundesland BY] [--closure "2026-12-24..2026-12-31 Betriebsurlaub"]… [--no-closures]
      [--emergency +49… [--emergency-day "Sa 08:00-18:00"]…] [--no-emergency]
      [--override consultation|service|closed [--override-reason "…"] | --no-override]`;

export const SERVICE_HOURS_USAGE = `  service hours --home DIR [--database postgres://…] [--day "Mo 08:00-18:00[,…]"]…`;

export const CONTRACT_USAGE = `  tenant contract ID --home DIR [--database postgres://…] [--model budget|per_call|per_minute --from YYYY-MM-DD
      [--takt 60/60] [--included-minutes N --period month|week --fee 99,00 --extra-minute 1,50] [--per-call 1,50]
      [--per-minute 1,20] [--no-hold] [--no-acw] [--acw-cap S] [--free-below S] [--vat 19] [--outgoing]
      [--appointment 2,50] [--item "Briefversand=0,95"]… [--alert-craftsman]]`;

export const DIRECTORY_USAGE = `  directory migrate --home DIR --database postgres://…   (moves directory.json and the CRL into PostgreSQL; idempotent)`;

export const CALENDAR_USAGE = `  calendar url TENANT --home DIR [--calendar-url https://…] [--database postgres://…]
  calendar revoke TENANT --home DIR [--calendar-url https://…] [--database postgres://…]`;

export const REPORT_USAGE = '  report TENANT --month YYYY-MM --out FILE.pdf|FILE.csv --home DIR [--database postgres://…]';

export const BACKUP_USAGE = `  backup --home DIR --out FILE [--database postgres://…] [--offline]
  restore FILE --home DIR [--database postgres://…]`;
