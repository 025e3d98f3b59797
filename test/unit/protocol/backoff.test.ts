import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../protocol/backoff.js';
import { RECONNECT_BACKOFF } from '../../../renderer/src/lib/phone/registration.js';

describe('backoffDelay', () => {
  const options = { baseMs: 100, maxMs: 5000 };

  it('doubles per failure within [ceiling/2, ceiling] by default and stays under the cap', () => {
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

  it('takes the jitter range it is given (the PBX connection: ±30 %)', () => {
    const pbx = { baseMs: 1000, maxMs: 30_000, jitter: [0.7, 1.3] as const };
    expect(backoffDelay(1, pbx, () => 0)).toBe(700);
    expect(backoffDelay(1, pbx, () => 1)).toBe(1300);
    expect(backoffDelay(3, pbx, () => 0.5)).toBe(4000);
    expect(backoffDelay(30, pbx, () => 1)).toBe(39_000);
  });

  it('re-registers fast first, then doubles up to 30 s, ±20 %', () => {
    expect(backoffDelay(1, RECONNECT_BACKOFF, () => 0.5)).toBe(250);
    expect(backoffDelay(2, RECONNECT_BACKOFF, () => 0.5)).toBe(500);
    expect(backoffDelay(4, RECONNECT_BACKOFF, () => 0.5)).toBe(2000);
    expect(backoffDelay(21, RECONNECT_BACKOFF, () => 1)).toBe(36_000);
    expect(backoffDelay(21, RECONNECT_BACKOFF, () => 0)).toBe(24_000);
  });
});
