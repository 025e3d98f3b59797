import { describe, expect, it } from 'vitest';
import { computeMonth } from '../../../../server/billing/compute-month.js';
import { FrozenReports, sha256 } from '../../../../server/billing/frozen-reports.js';
import { SAMPLE_MONTH, SAMPLE_TENANT, SAMPLE_TENANT_NAME, sampleLines } from '../../../helpers/billing-month.js';
import { migratedPglite } from '../../../helpers/migrated-pglite.js';

const pglite = migratedPglite('vermittlung-frozen-reports-');

function sampleReport(tenantName = SAMPLE_TENANT_NAME) {
  const lines = sampleLines();
  return computeMonth({
    tenantId: SAMPLE_TENANT,
    tenantName,
    month: SAMPLE_MONTH,
    contracts: lines.contracts[SAMPLE_TENANT]!.map((contract) => ({ tenantId: SAMPLE_TENANT, contract })),
    calls: lines.calls,
    items: lines.items,
  });
}

/** Every byte value, so a PDF's binary streams survive the way into the database and back. */
const allBytes = (first: number) => Buffer.from(Array.from({ length: 512 }, (_, i) => (first + i) % 256));

describe('frozen reports', () => {
  it('stores the PDF byte for byte and the figures as JSON, and reads both back the same', async () => {
    const frozen = new FrozenReports(pglite.db);
    const report = sampleReport();
    const pdf = allBytes(0);
    const kept = await frozen.freeze(report, pdf, '2026-12-01T08:00:00.000Z');
    expect(kept).toEqual({
      report: JSON.parse(JSON.stringify(report)) as unknown,
      pdf,
      pdfSha256: sha256(pdf),
      frozenAt: '2026-12-01T08:00:00.000Z',
    });

    const { rows } = await pglite.db.query<{ pdf: Uint8Array; report: unknown }>(
      'SELECT pdf, report FROM billing_report WHERE tenant = $1 AND month = $2',
      [SAMPLE_TENANT, SAMPLE_MONTH],
    );
    expect(Buffer.from(rows[0]!.pdf).equals(pdf)).toBe(true);
    expect(await frozen.get(SAMPLE_TENANT, SAMPLE_MONTH)).toEqual(kept);
    expect(await frozen.between(SAMPLE_TENANT, '2026-01', '2026-12')).toEqual([kept]);
  });

  it('answers a second writer of the same month with what the first stored', async () => {
    const frozen = new FrozenReports(pglite.db);
    const first = await frozen.get(SAMPLE_TENANT, SAMPLE_MONTH);
    const second = await frozen.freeze(sampleReport('Anders GmbH'), allBytes(7), '2026-12-02T09:00:00.000Z');
    expect(second).toEqual(first);
    expect(second.report.tenantName).toBe(SAMPLE_TENANT_NAME);
  });
});
