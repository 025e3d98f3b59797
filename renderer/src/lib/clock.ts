/**
 * This computer's clock as the sync server sees it. The host measures the offset on every sync
 * answer (`SyncStatus.clockOffset`); call times written to the history are shifted by it, so a
 * call is filed on the right day even when the computer's date is wrong. Times kept only on
 * screen (a running call's timer) stay on the local clock, which they are compared with.
 */
let offset = 0;

export function setClockOffset(ms: number | null | undefined): void {
  offset = typeof ms === 'number' && Number.isFinite(ms) ? ms : 0;
}

/** A local `Date.now()` reading as an ISO time in server time. */
export function serverIso(localMs: number): string {
  return new Date(localMs + offset).toISOString();
}

export type ClockSkew = { unit: 'minutes' | 'hours' | 'days'; count: number; ahead: boolean };

/** How far off the clock is, in the unit a person would say it in ("3 Stunden", "1 Tag"). */
export function clockSkew(offsetMs: number): ClockSkew {
  const ms = Math.abs(offsetMs);
  const ahead = offsetMs < 0;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 90) return { unit: 'minutes', count: minutes, ahead };
  const hours = Math.round(ms / 3_600_000);
  if (hours < 24) return { unit: 'hours', count: hours, ahead };
  return { unit: 'days', count: Math.round(ms / 86_400_000), ahead };
}
