import type { LineView } from './types.js';

/**
 * The line the call card shows after the lines changed: the current one while it exists, unless it
 * has ended and another call is live — an ended call's card lingers for a few seconds, but never in
 * front of a new ringing call. Otherwise a ringing line first, then one not on hold, then any live one.
 */
export function focusedLine(lines: readonly LineView[], focused: string | undefined): string | undefined {
  const live = lines.filter((line) => line.status !== 'ended');
  const current = lines.find((line) => line.id === focused);
  if (current && (current.status !== 'ended' || live.length === 0)) return focused;
  return (live.find((line) => line.status === 'ringing') ?? live.find((line) => !line.localHold) ?? live[0])?.id;
}
