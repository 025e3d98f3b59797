import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../../../electron/core/sync/backoff.js';

describe('backoffDelay', () => {
  const options = { baseMs: 100, maxMs: 5000 };
  it('doubles per failure within [ceiling/2, ceiling] and stays under the cap', () => {
    expect(backoffDelay(0, options, () => 0.5)).toBe(0);
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 1)).toBe(100);
    expect(backoffDelay(4, options, () => 1)).toBe(800);
    expect(backoffDelay(50, options, () => 1)).toBe(5000);
    expect(backoffDelay(50, options, () => 0)).toBe(2500);
  });
  it('spreads clients apart (jitter)', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(5, options)));
    expect(delays.size).toBeGreaterThan(5);
  });
});
