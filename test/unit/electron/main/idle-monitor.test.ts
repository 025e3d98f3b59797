import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDLE_POLL_MS, SystemIdleMonitor, type IdleSource } from '../../../../electron/main/idle-monitor.js';

/** A machine whose input stops at a chosen moment: idle seconds follow the (fake) clock. */
function fakeMachine() {
  let lastInput = Date.now();
  let lockListener: ((locked: boolean) => void) | undefined;
  let failing = false;
  const source: IdleSource = {
    idleSeconds: () => {
      if (failing) throw new Error('no idle support');
      return Math.floor((Date.now() - lastInput) / 1000);
    },
    onLockChange: (listener) => {
      lockListener = listener;
      return () => (lockListener = undefined);
    },
  };
  return {
    source,
    input: () => (lastInput = Date.now()),
    lock: (locked: boolean) => lockListener?.(locked),
    hasLockListener: () => lockListener !== undefined,
    fail: (value: boolean) => (failing = value),
  };
}

describe('SystemIdleMonitor (Electron powerMonitor idle logic)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('turns idle once the threshold passes without input, and active again on the next poll after input', () => {
    const machine = fakeMachine();
    const changes: boolean[] = [];
    const monitor = new SystemIdleMonitor(machine.source, (idle) => changes.push(idle));
    monitor.watch(600);
    vi.advanceTimersByTime(599_000);
    expect(changes).toEqual([]);
    vi.advanceTimersByTime(IDLE_POLL_MS);
    expect(changes).toEqual([true]);
    vi.advanceTimersByTime(60_000);
    expect(changes).toEqual([true]);
    machine.input();
    vi.advanceTimersByTime(IDLE_POLL_MS);
    expect(changes).toEqual([true, false]);
    monitor.stop();
    vi.advanceTimersByTime(3_600_000);
    expect(changes).toEqual([true, false]);
  });

  it('a locked screen is idle at once, whatever the idle time says', () => {
    const machine = fakeMachine();
    const changes: boolean[] = [];
    const monitor = new SystemIdleMonitor(machine.source, (idle) => changes.push(idle));
    monitor.watch(600);
    machine.lock(true);
    expect(changes).toEqual([true]);
    vi.advanceTimersByTime(IDLE_POLL_MS * 3);
    expect(changes).toEqual([true]);
    machine.input();
    machine.lock(false);
    expect(changes).toEqual([true, false]);
    monitor.stop();
    expect(machine.hasLockListener()).toBe(false);
  });

  it('threshold changes apply immediately, 0 switches off and reports active', () => {
    const machine = fakeMachine();
    const changes: boolean[] = [];
    const monitor = new SystemIdleMonitor(machine.source, (idle) => changes.push(idle));
    monitor.watch(3600);
    vi.advanceTimersByTime(120_000);
    expect(changes).toEqual([]);
    monitor.watch(60);
    expect(changes).toEqual([true]);
    monitor.watch(0);
    expect(changes).toEqual([true, false]);
    expect(machine.hasLockListener()).toBe(false);
    vi.advanceTimersByTime(3_600_000);
    expect(changes).toEqual([true, false]);
  });

  it('a session that cannot report idle time keeps the last state instead of throwing', () => {
    const machine = fakeMachine();
    const changes: boolean[] = [];
    const monitor = new SystemIdleMonitor(machine.source, (idle) => changes.push(idle));
    machine.fail(true);
    expect(() => monitor.watch(60)).not.toThrow();
    expect(() => vi.advanceTimersByTime(600_000)).not.toThrow();
    expect(changes).toEqual([]);
    machine.fail(false);
    vi.advanceTimersByTime(IDLE_POLL_MS);
    expect(changes).toEqual([true]);
    monitor.stop();
  });
});
