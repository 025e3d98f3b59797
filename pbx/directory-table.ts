import { existsSync, mkdirSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { servedTenants, servesTenant, type Directory } from '../server/home/directory.js';

/**
 * What the PBX needs from directory.json, as rows of the Kamailio htable `directory`. The table is
 * loaded from a db_text file at start and again on `kamcmd htable.reload directory`, so a change
 * to the directory reaches the running Kamailio without a restart. Keys:
 *
 *     user:ID                  1      a user of this PBX (may register, gets dialog-info)
 *     tenancy:TENANT:ID        1      ID serves TENANT (who may watch whom)
 *     tenants:ID[n]            TENANT the tenants ID serves (array; tenants:ID::size)
 *     number:FORM              TENANT a tenant's number in each form a trunk may deliver
 *     serving:TENANT:GROUP[n]  ID     teleworkers / craftsmen of TENANT (array; …::size)
 *
 * A lead (Büroleitung) serves every tenant and rings with the teleworkers: she answers as one of them.
 */
export const DIRECTORY_HTABLE = 'directory';

export interface HtableRow {
  key: string;
  /** An array row: htable names it KEY[n] and counts KEY::size. */
  array: boolean;
  value: string | number;
}

/** The schema line of Kamailio's htable table (/usr/share/kamailio/dbtext/kamailio/htable). */
const HTABLE_SCHEMA = 'id(int,auto) key_name(string) key_type(int) value_type(int) key_value(string) expires(int)';

/** Only characters that have no meaning in an htable key or a SIP URI. */
function safeToken(value: string, what: string): string {
  if (!/^[A-Za-z0-9+._-]{1,64}$/.test(value))
    throw new Error(`${what} ${JSON.stringify(value)} cannot go into the PBX directory`);
  return value;
}

/**
 * The forms in which a tenant's number may arrive from a trunk: E.164 (+4930…), without the plus,
 * with the international prefix 00, and in national form (030…).
 */
export function numberForms(number: string): string[] {
  const compact = number.replace(/[\s()/-]/g, '');
  const forms = new Set<string>([compact]);
  const parsed = parsePhoneNumberFromString(compact, 'DE');
  if (parsed) {
    const e164 = parsed.number;
    forms.add(e164);
    forms.add(e164.slice(1));
    forms.add(`00${e164.slice(1)}`);
    forms.add(parsed.formatNational().replace(/[^0-9]/g, ''));
  }
  return [...forms].filter((form) => /^\+?[0-9]{3,20}$/.test(form));
}

export function directoryRows(directory: Directory): HtableRow[] {
  const rows: HtableRow[] = [];
  for (const user of directory.users) {
    const id = safeToken(user.id, 'user id');
    rows.push({ key: `user:${id}`, array: false, value: 1 });
    for (const tenant of servedTenants(directory, user)) {
      const tid = safeToken(tenant, 'tenant id');
      rows.push({ key: `tenancy:${tid}:${id}`, array: false, value: 1 });
      rows.push({ key: `tenants:${id}`, array: true, value: tid });
    }
  }
  const numbers = new Set<string>();
  for (const tenant of directory.tenants) {
    const tid = safeToken(tenant.id, 'tenant id');
    for (const form of tenant.numbers.flatMap(numberForms)) {
      // `tenant add` refuses a number twice; a national form shared by two spellings must still name one tenant.
      if (numbers.has(form)) continue;
      numbers.add(form);
      rows.push({ key: `number:${safeToken(form, 'number')}`, array: false, value: tid });
    }
    const serving = directory.users.filter((user) => servesTenant(directory, user, tenant.id));
    for (const group of ['teleworkers', 'craftsmen'] as const) {
      for (const user of serving.filter((u) => (u.role === 'craftsman' ? 'craftsmen' : 'teleworkers') === group)) {
        rows.push({ key: `serving:${tid}:${group}`, array: true, value: user.id });
      }
    }
  }
  return rows;
}

/** db_text escapes its column delimiter and control characters with a backslash. */
function escapeDbText(value: string): string {
  return value.replace(/[\\:\n\r\t]/g, (c) => ({ '\\': '\\\\', ':': '\\:', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
}

/** The db_text file of the htable: rows of one array key stay together, as htable counts them in order. */
export function dbTextTable(rows: HtableRow[]): string {
  const sorted = [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const lines = sorted.map((row, index) =>
    [
      index + 1,
      escapeDbText(row.key),
      row.array ? 1 : 0,
      typeof row.value === 'number' ? 1 : 0,
      escapeDbText(String(row.value)),
      0,
    ].join(':'),
  );
  return [HTABLE_SCHEMA, ...lines, ''].join('\n');
}

/**
 * Writes DIR/directory for the htable, whole (writeTableFile).
 */
export function writeDirectoryTable(dbDir: string, directory: Directory): string {
  return writeTableFile(dbDir, DIRECTORY_HTABLE, directoryRows(directory));
}

/**
 * Writes the db_text file DIR/TABLE of an htable, whole (temporary file and rename: Kamailio never
 * reads half a table). db_text reloads a table only when the file's mtime, in whole seconds, grew:
 * two writes within one second would leave the second unseen, so each write moves the mtime at
 * least a second on.
 */
export function writeTableFile(dbDir: string, table: string, rows: HtableRow[]): string {
  mkdirSync(dbDir, { recursive: true });
  const file = join(dbDir, table);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, dbTextTable(rows), { mode: 0o600 });
  const now = Math.floor(Date.now() / 1000);
  const previous = existsSync(file) ? Math.floor(statSync(file).mtimeMs / 1000) : 0;
  const mtime = Math.max(now, previous + 1);
  utimesSync(tmp, mtime, mtime);
  renameSync(tmp, file);
  return file;
}
