import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../../../../renderer/src/lib/phone/backoff.js';

describe('reconnect backoff', () => {
  it('retries fast first, then doubles up to 30 s with jitter', () => {
    expect(backoffDelay(0, () => 0.5)).toBe(250);
    expect(backoffDelay(1, () => 0.5)).toBe(500);
    expect(backoffDelay(3, () => 0.5)).toBe(2000);
    expect(backoffDelay(20, () => 1)).toBe(36_000);
    expect(backoffDelay(20, () => 0)).toBe(24_000);
  });
});
