import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BillingSource } from '../../../../protocol/billing-lines.js';
import type { Database } from '../../../../server/db/database.js';
import type { Directory } from '../../../../server/home/directory.js';
import { UsagePublisher } from '../../../../server/metering/usage-publisher.js';

/** A publisher over two firms without a budget contract: each run asks for both firms' contracts. */
function publisher() {
  const asked: string[] = [];
  const source: BillingSource = {
    contracts: (tenant) => (asked.push(tenant), Promise.resolve([])),
    callLines: () => Promise.resolve([]),
    itemLines: () => Promise.resolve([]),
  };
  const directory = { tenants: [{ id: 'tischlerei' }, { id: 'sanitaer' }] } as unknown as Directory;
  const usage = new UsagePublisher(
    {} as Database,
    source,
    () => directory,
    'node',
    () => undefined,
  );
  return { usage, asked, runs: () => asked.length / 2 };
}

describe('the budget usage publisher after commits', () => {
  afterEach(() => vi.useRealTimers());

  it('makes one run within the delay however many commits come, and none once stopped', async () => {
    vi.useFakeTimers();
    const { usage, runs } = publisher();
    for (let i = 0; i < 50; i++) usage.soon(null, 1000);
    await vi.advanceTimersByTimeAsync(999);
    expect(runs()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    await usage.settled();
    expect(runs()).toBe(1);
    usage.soon(null, 1000);
    await vi.advanceTimersByTimeAsync(1000);
    await usage.settled();
    expect(runs()).toBe(2);
    usage.soon(null, 1000);
    await usage.stop();
    await vi.advanceTimersByTimeAsync(5000);
    usage.refresh();
    expect(runs()).toBe(2);
  });

  it('recomputes only the firms the commits named, and every firm for a commit that names none', async () => {
    vi.useFakeTimers();
    const { usage, asked } = publisher();
    usage.soon(['sanitaer'], 1000);
    usage.soon(['sanitaer'], 1000);
    await vi.advanceTimersByTimeAsync(1000);
    await usage.settled();
    expect(asked).toEqual(['sanitaer']);
    usage.soon(['sanitaer'], 1000);
    usage.soon(null, 1000);
    await vi.advanceTimersByTimeAsync(1000);
    await usage.settled();
    expect(asked).toEqual(['sanitaer', 'tischlerei', 'sanitaer']);
    await usage.stop();
  });
});
