import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core/composition.js';
import { REPORT_ERRORS, type ReportFileData } from '../../../protocol/billing-report.js';
import type { Directory } from '../../../server/home/directory.js';
import { fixedSource } from '../../helpers/billing-lines.js';
import { SAMPLE_MONTH, SAMPLE_TENANT, SAMPLE_TENANT_NAME, sampleLines } from '../../helpers/billing-month.js';
import { parseCsv } from '../../helpers/semicolon-csv.js';
import { rawRequest, syncFixture, type SyncFixture } from '../../helpers/sync-fixture.js';

// The report through the real server: mutual TLS, the certificate's user, the role rules.
const DIRECTORY: Directory = {
  version: 1,
  tenants: [
    { id: SAMPLE_TENANT, name: SAMPLE_TENANT_NAME, numbers: ['+4930111'] },
    { id: 'tischlerei', name: 'Tischlerei Holz', numbers: ['+4930222'] },
  ],
  users: [
    { id: 'anna', name: 'Anna Berger', role: 'teleworker', tenants: [SAMPLE_TENANT, 'tischlerei'], certificates: [] },
    { id: 'carl', name: 'Carl Holz', role: 'craftsman', tenants: ['tischlerei'], certificates: [] },
    { id: 'mia', name: 'Mia Schmidt', role: 'craftsman', tenants: [SAMPLE_TENANT], certificates: [] },
    { id: 'lea', name: 'Lea Leitung', role: 'lead', tenants: [], certificates: [] },
  ],
};

let fixture: SyncFixture;
let core: Core;
/** Whose certificate the app's core presents. */
let appUser = 'lea';
const dir = mkdtempSync(join(tmpdir(), 'vermittlung-report-http-'));

beforeAll(async () => {
  const lines = sampleLines();
  fixture = await syncFixture('pglite', DIRECTORY, {
    billingSource: () => fixedSource(lines),
    now: () => Date.parse('2026-12-02T09:00:00Z'),
  });
  writeFileSync(
    join(fixture.home.home, 'letterhead.json'),
    JSON.stringify({ name: 'Büroservice Sonnenschein', lines: ['Hauptstraße 1'] }),
  );
  core = createCore({
    profileDir: mkdtempSync(join(dir, 'profile-')),
    appVersion: '0.0.0-test',
    shell: 'browser',
    syncEndpoint: () => ({ url: fixture.url, tls: fixture.tls(appUser) }),
  });
}, 120_000);
afterAll(async () => {
  await core?.close();
  await fixture?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The refusal's code from the server's error body. */
const code = (res: { json: unknown }) => (res.json as { error?: { code?: string } } | undefined)?.error?.code;
const get = (user: string, query: string) => rawRequest(fixture.url, fixture.tls(user), 'GET', `/billing/report?${query}`);

describe('GET /billing/report', () => {
  it("gives the lead any firm's frozen PDF, with the letterhead from the home", async () => {
    const res = await get('lea', `tenant=${SAMPLE_TENANT}&month=${SAMPLE_MONTH}&format=pdf`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('attachment; filename="Leistungsnachweis-maler-schmidt-2026-11.pdf"');
    expect(res.headers['x-report-frozen']).toBe('1');
    const file = join(dir, 'lead.pdf');
    writeFileSync(file, res.body);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/[ ]+/g, ' ');
    expect(text).toContain('Büroservice Sonnenschein Leistungsnachweis');
    expect(text).toContain('Summe netto 13:50 66,30 €');
    expect(text).toContain('Summe brutto 78,90 €');
    expect(text).toContain('Festgeschrieben am 02.12.2026');
  });

  it("gives the craftsman his own firm's CSV, the same figures as the PDF", async () => {
    const res = await get('mia', `tenant=${SAMPLE_TENANT}&month=${SAMPLE_MONTH}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect([...res.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(res.text.slice(1));
    expect(rows.find((r) => r[0] === 'Summe netto')![13]).toBe('66,30');
    expect(rows.find((r) => r[0] === 'Summe brutto')![13]).toBe('78,90');
  });

  it("refuses a craftsman another firm's report", async () => {
    const res = await get('carl', `tenant=${SAMPLE_TENANT}&month=${SAMPLE_MONTH}&format=pdf`);
    expect(res.status).toBe(403);
    expect(code(res)).toBe(REPORT_ERRORS.tenant);
    expect(res.body.subarray(0, 4).toString()).not.toBe('%PDF');
  });

  it('refuses a teleworker every report, even of a firm she serves', async () => {
    const res = await get('anna', `tenant=${SAMPLE_TENANT}&month=${SAMPLE_MONTH}&format=csv`);
    expect(res.status).toBe(403);
    expect(code(res)).toBe(REPORT_ERRORS.role);
  });

  it('answers 404 for a firm not in the directory and 400 for a malformed month', async () => {
    expect(code(await get('lea', 'tenant=nobody&month=2026-11&format=pdf'))).toBe(REPORT_ERRORS.unknown);
    const bad = await get('lea', `tenant=${SAMPLE_TENANT}&month=2026-13&format=pdf`);
    expect(bad.status).toBe(400);
    expect(code(bad)).toBe('invalid_request');
  });
});

describe('billing.report in the app', () => {
  const ask = (user: string, format: 'pdf' | 'csv', tenant = SAMPLE_TENANT) => {
    appUser = user;
    return core.dispatch('billing.report', { tenant, month: SAMPLE_MONTH, format }, { origin: 'test' });
  };

  it("hands the lead any firm's file as bytes to save, never a path", async () => {
    const result = await ask('lea', 'pdf');
    expect(result.ok).toBe(true);
    const file = (result as { value: ReportFileData }).value;
    expect(file).toMatchObject({
      fileName: 'Leistungsnachweis-maler-schmidt-2026-11.pdf',
      contentType: 'application/pdf',
      frozen: true,
    });
    const path = join(dir, 'app.pdf');
    writeFileSync(path, Buffer.from(file.base64, 'base64'));
    expect(execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' }).replace(/[ ]+/g, ' ')).toContain(
      'Summe brutto 78,90 €',
    );
  });

  it("gives the craftsman his own firm's CSV and refuses him another firm's, and a teleworker any", async () => {
    const own = await ask('mia', 'csv');
    expect(own.ok && Buffer.from((own.value as ReportFileData).base64, 'base64').subarray(0, 3)).toEqual(
      Buffer.from([0xef, 0xbb, 0xbf]),
    );
    expect(await ask('carl', 'pdf')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await ask('anna', 'csv')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await ask('lea', 'pdf', 'nobody')).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
