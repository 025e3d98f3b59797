import type { Call } from '../../../../protocol/index.js';

/**
 * One history row per customer call: a leg (a consultation with a colleague, the colleague's call
 * an attended transfer replaced, the call a REFER brought) names its call in `parent_id`, and shows
 * inside that call's row. A leg whose call is not in the list (another page, not synced yet) stands
 * on its own.
 */
export interface CallGroup {
  call: Call;
  /** The legs in the order they began. */
  legs: Call[];
}

/** How far apart the two desks' rows of one conversation may begin (clocks are server-corrected). */
const SAME_CONVERSATION_MS = 15_000;
/** How long after a transfer the customer's call may arrive at the colleague. */
const TRANSFER_ARRIVAL_MS = 60_000;

export function groupCalls(calls: readonly Call[]): CallGroup[] {
  const byId = new Map(calls.map((call) => [call.id, call]));
  const rootOf = (call: Call): Call => {
    let current = call;
    const seen = new Set<string>([call.id]);
    while (current.parent_id) {
      const parent = byId.get(current.parent_id);
      if (!parent) break;
      // A cycle (two desks linking each other's rows): each row stands on its own.
      if (seen.has(parent.id)) return call;
      seen.add(parent.id);
      current = parent;
    }
    return current;
  };
  const groups = new Map<string, CallGroup>();
  for (const call of calls) {
    const root = rootOf(call);
    const group = groups.get(root.id) ?? { call: root, legs: [] };
    groups.set(root.id, group);
    if (root !== call) group.legs.push(call);
  }
  joinOtherDesks(groups);
  for (const group of groups.values()) group.legs.sort((a, b) => a.started_at.localeCompare(b.started_at));
  // The newest call first, by when it began (a leg may be newer than its call).
  return [...groups.values()].sort((a, b) => b.call.started_at.localeCompare(a.call.started_at));
}

const at = (iso: string | null) => (iso ? Date.parse(iso) : NaN);

/**
 * Rows sync to every desk of the firm, so one customer call also left rows at the colleague's desk:
 * the consultation call as he received it, and the customer's call the transfer brought him. Neither
 * desk knows the other's row ids when it writes, so they are joined here, by what both rows say:
 * - the customer's call at the colleague: same firm and customer number, taken by the one the call
 *   was transferred to, begun while the transferred call ran or within a minute of its end;
 * - the consultation as received: from the one who took the customer call, taken by the colleague
 *   she consulted, begun within seconds of her consultation leg. It is the same conversation as that
 *   leg, so it is not listed twice.
 */
function joinOtherDesks(groups: Map<string, CallGroup>): void {
  const all = [...groups.values()];
  for (const group of all) {
    const call = group.call;
    if (!groups.has(call.id) || !call.transferred_to || isInternalCall(call)) continue;
    const from = at(call.started_at);
    const until = (Number.isNaN(at(call.ended_at)) ? from : at(call.ended_at)) + TRANSFER_ARRIVAL_MS;
    const arrival = all.find(
      (other) =>
        other !== group &&
        groups.has(other.call.id) &&
        other.call.direction === 'in' &&
        !isInternalCall(other.call) &&
        other.call.tenant === call.tenant &&
        other.call.remote_number === call.remote_number &&
        other.call.taken_by === call.transferred_to &&
        at(other.call.started_at) >= from &&
        at(other.call.started_at) <= until,
    );
    if (!arrival) continue;
    groups.delete(arrival.call.id);
    group.legs.push(arrival.call, ...arrival.legs);
  }
  for (const group of groups.values()) {
    const consultations = group.legs.filter((leg) => leg.direction === 'out' && isInternalCall(leg));
    const sameAsConsultation = (received: Call) =>
      received.direction === 'in' &&
      isInternalCall(received) &&
      received.remote_number === group.call.taken_by &&
      consultations.some(
        (leg) =>
          leg.remote_number === received.taken_by &&
          Math.abs(at(leg.started_at) - at(received.started_at)) <= SAME_CONVERSATION_MS,
      );
    group.legs = group.legs.filter((leg) => !sameAsConsultation(leg));
    for (const other of [...groups.values()]) {
      if (other === group || other.call.parent_id || !sameAsConsultation(other.call)) continue;
      groups.delete(other.call.id);
      group.legs.push(...other.legs.filter((leg) => !sameAsConsultation(leg)));
    }
  }
}

/** Colleague, not a customer: rows written before `internal` existed tell by the number (a user id is no number). */
export function isInternalCall(call: Call): boolean {
  if (call.internal !== null) return call.internal;
  return !/^[+0-9*#]/.test(call.remote_number);
}

export type OutcomeKey = 'answered' | 'missed' | 'busy' | 'rejected' | 'failed' | 'forwarded' | 'voicemail' | 'open' | 'ended';

/** How long a row another desk is still ringing or talking on may go without its end before it counts as ended. */
export const ELSEWHERE_GRACE_MS = 3 * 60_000;

/** What this desk knows about the calls on its own lines. */
export interface LiveCalls {
  /** A line of this desk carries the call now. */
  live(id: string): boolean;
  /** This desk wrote the row during this session. */
  mine(id: string): boolean;
  now: number;
}

/**
 * What became of a call, for its row: "weitergeleitet an …" when it went somewhere (the call's own
 * transfer, else a leg's: the consultation whose colleague then took it); "läuft" while a line of this
 * desk carries it. A row without an end is "beendet" when it is this desk's and no line carries it any
 * more (the app closed mid-call, the end was never written); another desk's row may still be ringing
 * or running there, so it is "läuft" for a few minutes, then "beendet" — never "läuft" for ever.
 */
export function groupOutcome(group: CallGroup, calls: LiveCalls): { key: OutcomeKey; target?: string } {
  const { call } = group;
  const target = call.transferred_to ?? group.legs.find((leg) => leg.transferred_to)?.transferred_to ?? undefined;
  if (call.ended_at === null && calls.live(call.id)) return { key: 'open' };
  if (target && (call.outcome === 'forwarded' || call.outcome === 'answered' || call.outcome === null)) {
    return { key: 'forwarded', target };
  }
  if (call.outcome === null && call.ended_at === null && !calls.mine(call.id)) {
    const age = calls.now - at(call.started_at);
    if (age >= 0 && age < ELSEWHERE_GRACE_MS) return { key: 'open' };
  }
  return { key: call.outcome ?? 'ended' };
}
