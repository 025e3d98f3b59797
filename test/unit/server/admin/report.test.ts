import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAdmin, UsageError } from '../../../../server/admin/commands.js';
import { runReport } from '../../../../server/admin/report.js';
import { PgliteDatabase } from '../../../../server/db/pglite-database.js';
import { writeDirectory } from '../../../../server/home/directory.js';
import { homeLayout } from '../../../../server/home/layout.js';
import { fixedSource } from '../../../helpers/billing-lines.js';
import { SAMPLE_MONTH, SAMPLE_TENANT, SAMPLE_TENANT_NAME, sampleLines } from '../../../helpers/billing-month.js';
import { parseCsv } from '../../../helpers/semicolon-csv.js';

const home = mkdtempSync(join(tmpdir(), 'vermittlung-admin-report-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
writeDirectory(homeLayout(home).directory, {
  version: 1,
  tenants: [{ id: SAMPLE_TENANT, name: SAMPLE_TENANT_NAME, numbers: ['+4930111'] }],
  users: [],
});

const usage = (message: string) => new UsageError(message);
const lines = sampleLines();
const options = { billingSource: () => fixedSource(lines), now: () => Date.parse('2026-12-05T10:00:00Z') };

describe('npm run admin -- report', () => {
  it('refuses a home whose server never ran, then writes the PDF of a closed month', { timeout: 120_000 }, async () => {
    const out = join(home, 'november.pdf');
    await expect(
      runReport([SAMPLE_TENANT, '--month', SAMPLE_MONTH, '--out', out, '--home', home], usage, options),
    ).rejects.toThrow(/has never run on this home/);
    // The server's first start creates the database; here the admin's own PGlite stands in for it.
    await (await PgliteDatabase.open(homeLayout(home).dbDir)).close();

    const said = await runReport([SAMPLE_TENANT, '--month', SAMPLE_MONTH, '--out', out, '--home', home], usage, options);
    expect(said).toMatch(/^frozen report of maler-schmidt for 2026-11 written to .*november\.pdf/);
    const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' }).replace(/[ ]+/g, ' ');
    expect(text).toContain('Summe brutto 78,90 €');
    expect(text).toContain('Festgeschrieben am 05.12.2026');
  });

  it('writes CSV when the file ends in .csv', { timeout: 60_000 }, async () => {
    const out = join(home, 'november.csv');
    await runReport([SAMPLE_TENANT, '--month', SAMPLE_MONTH, '--out', out, '--home', home], usage, options);
    const rows = parseCsv(readFileSync(out, 'utf8').slice(1));
    expect(rows.find((r) => r[0] === 'Summe brutto')![13]).toBe('78,90');
  });

  it('is reached through the admin command line, and refuses wrong options as usage errors', { timeout: 60_000 }, async () => {
    const out = join(home, 'via-cli.pdf');
    // The frozen November is delivered as stored, whatever source the command line uses.
    await runAdmin(['report', SAMPLE_TENANT, '--month', SAMPLE_MONTH, '--out', out, '--home', home]);
    expect(readFileSync(out).equals(readFileSync(join(home, 'november.pdf')))).toBe(true);
    await expect(runAdmin(['report', SAMPLE_TENANT, '--month', '11/2026', '--out', out, '--home', home])).rejects.toThrow(
      UsageError,
    );
    await expect(runAdmin(['report', SAMPLE_TENANT, '--month', SAMPLE_MONTH, '--out', 'x.txt', '--home', home])).rejects.toThrow(
      /\.pdf or \.csv/,
    );
    await expect(runAdmin(['report', 'tischlerei', '--month', SAMPLE_MONTH, '--out', out, '--home', home])).rejects.toThrow(
      /unknown tenant "tischlerei"/,
    );
  });
});
