import { stripXmlForbidden } from '../../../../protocol/text-values.js';
import type { DialogActivity, PeerPresence, Published } from './types.js';

/**
 * PIDF (RFC 3863) with RPID activities (RFC 4480), as Kamailio's presence_xml stores and forwards
 * it. RPID has no "do not disturb": like most SIP phones we send `busy` plus a note; "Im Gespräch"
 * is `on-the-phone`, "Abwesend" is `away`, "Offline" is basic `closed`. RPID has no after-call work
 * either: "Nacharbeit" is its extension point, `<rpid:other>after-call-work</rpid:other>`.
 */
const ACTIVITY: Record<Published, string | undefined> = {
  available: undefined,
  away: 'away',
  dnd: 'busy',
  busy: 'on-the-phone',
  wrapup: 'other',
  offline: undefined,
};
const WRAP_UP_TEXT = 'after-call-work';
const WRAP_UP_ACTIVITY = /<(?:[\w-]+:)?other>\s*after-call-work\s*</i;
const NOTE: Record<Published, string> = {
  available: 'Available',
  away: 'Away',
  dnd: 'Do not disturb',
  busy: 'On the phone',
  wrapup: 'After-call work',
  offline: 'Offline',
};

// The note carries firm data (consultation hours) from elsewhere: a control character in it would
// make the document invalid XML, which the presence server refuses, and the status would not be published.
const escapeXml = (text: string) =>
  stripXmlForbidden(text).replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** What one PUBLISH says: whose document, which one of theirs, the status and when it was set. */
export interface PidfDocument {
  entity: string;
  /**
   * Names this document's tuple and person. Kamailio's presence_xml merges a person's documents
   * by tuple id and keeps only one of equal ids — the one stored longest, not the newest — so a
   * second app instance (after a crash or reload, before the first one's document expires) needs
   * an id of its own, or its watchers keep seeing the dead instance's status.
   */
  instance: string;
  status: Published;
  note?: string | undefined;
  /** When the status was set; the newest document decides (`parsePidf`). */
  at: Date;
}

export function buildPidf({ entity, instance, status, note: extraNote, at }: PidfDocument): string {
  const activity = ACTIVITY[status];
  const basic = status === 'offline' ? 'closed' : 'open';
  const note = escapeXml(extraNote ? `${NOTE[status]}; ${extraNote}` : NOTE[status]);
  const id = escapeXml(instance);
  const stamp = at.toISOString();
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${escapeXml(entity)}">`,
    `<tuple id="t-${id}"><status><basic>${basic}</basic></status><note>${note}</note><timestamp>${stamp}</timestamp></tuple>`,
    `<dm:person id="p-${id}">${activity ? `<rpid:activities>${activity === 'other' ? `<rpid:other>${WRAP_UP_TEXT}</rpid:other>` : `<rpid:${activity}/>`}</rpid:activities>` : ''}<dm:note>${note}</dm:note><dm:timestamp>${stamp}</dm:timestamp></dm:person>`,
    '</presence>',
  ].join('\n');
}

/** Larger bodies are not what any presence server sends for one person; refused unread. */
const MAX_PIDF = 64 * 1024;
const AWAY = ['away', 'vacation', 'sleeping', 'holiday', 'appointment', 'meeting'];

interface Part {
  kind: 'tuple' | 'person';
  text: string;
  stamp: number | undefined;
}

/**
 * The tuples and persons of a (possibly merged) PIDF document. Split at each opening tag instead
 * of matching whole elements, so the work stays linear whatever a broken or hostile body holds.
 */
function partsOf(body: string): Part[] {
  const pieces = body.split(/<(?:[\w-]+:)?(tuple|person)(?=[\s>/])/i);
  const parts: Part[] = [];
  for (let i = 1; i + 1 < pieces.length; i += 2) {
    const text = pieces[i + 1]!;
    const stamp = /<(?:[\w-]+:)?timestamp>\s*([^<]{1,64}?)\s*<\//i.exec(text)?.[1];
    const time = stamp === undefined ? NaN : Date.parse(stamp);
    parts.push({ kind: pieces[i]!.toLowerCase() as Part['kind'], text, stamp: Number.isNaN(time) ? undefined : time });
  }
  return parts;
}

/**
 * Of one kind, the parts that decide: those with the newest timestamp when any has one (several
 * documents of one person: the status set last wins; an unstamped tuple then is what Kamailio
 * makes of a withdrawn or expired document), else all of them.
 */
function newest(parts: readonly Part[], kind: Part['kind']): Part[] {
  const ofKind = parts.filter((part) => part.kind === kind);
  const stamps = ofKind.map((part) => part.stamp).filter((stamp): stamp is number => stamp !== undefined);
  if (stamps.length === 0) return ofKind;
  const latest = Math.max(...stamps);
  return ofKind.filter((part) => part.stamp === latest);
}

/**
 * A NOTIFY body → what the team list shows. Tolerant on purpose (any prefix, any other phone's
 * PIDF): an empty body or no open tuple is offline (Kamailio sends that after unpublish/expiry),
 * a body we cannot read at all is `unknown` rather than a guess. When the body merges several
 * documents of the person (two app instances, or one that crashed and left its document behind),
 * the newest tuple and person decide; without timestamps, any open tuple and any activity count.
 */
export function parsePidf(body: string | undefined): PeerPresence {
  if (!body || body.trim() === '') return 'offline';
  if (body.length > MAX_PIDF || !/<(?:[\w-]+:)?presence[\s>]/.test(body)) return 'unknown';
  const parts = partsOf(body);
  const basics = newest(parts, 'tuple').flatMap((tuple) =>
    [...tuple.text.matchAll(/<(?:[\w-]+:)?basic>\s*(open|closed)\s*<\//gi)].map((m) => m[1]!.toLowerCase()),
  );
  if (!basics.includes('open')) return 'offline';
  // Stamped persons: only the newest one's activities; otherwise wherever a phone put them.
  const stamped = parts.some((part) => part.kind === 'person' && part.stamp !== undefined);
  const scope = stamped
    ? newest(parts, 'person')
        .map((person) => person.text)
        .join('')
    : body;
  const activities = new Set(
    [...scope.matchAll(/<(?:[\w-]+:)?activities\b[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?activities>/gi)].flatMap((m) =>
      [...m[1]!.matchAll(/<(?:[\w-]+:)?([\w-]+)\s*\/?>/g)].map((a) => a[1]!.toLowerCase()),
    ),
  );
  if (activities.has('on-the-phone')) return 'busy';
  if (activities.has('other') && WRAP_UP_ACTIVITY.test(scope)) return 'wrapup';
  if (activities.has('busy') || activities.has('do-not-disturb')) return 'dnd';
  if (AWAY.some((a) => activities.has(a))) return 'away';
  return 'available';
}

/** Larger bodies are not a dialog-info any PBX sends for one person; refused unread. */
const MAX_DIALOG_INFO = 32 * 1024;
const EARLY = new Set(['trying', 'proceeding', 'early']);

/** One `<dialog>` of a dialog-info document, as far as it could be read. */
export interface DialogEntry {
  id: string | undefined;
  state: string | undefined;
  direction: string | undefined;
}

/**
 * The dialogs of a dialog-info document (RFC 4235), as Kamailio's presence_dialoginfo aggregates
 * what pua_dialoginfo publishes for calls through the PBX; [] for an empty or unreadable body.
 * Split at each `<dialog` opening instead of matching whole elements, so the work stays linear in
 * the body whatever a broken or hostile NOTIFY contains.
 */
export function readDialogInfo(body: string | undefined): DialogEntry[] {
  if (!body || body.length > MAX_DIALOG_INFO) return [];
  if (!/<(?:[\w-]+:)?dialog-info[\s>/]/.test(body)) return [];
  return body
    .split(/<(?:[\w-]+:)?dialog(?=[\s>/])/)
    .slice(1)
    .map((chunk) => {
      const attributes = /^[^>]{0,2000}/.exec(chunk)![0];
      const attribute = (name: string) =>
        new RegExp(`(?:^|\\s)${name}\\s*=\\s*["']\\s*([^"'<>]{1,256})["']`, 'i').exec(attributes)?.[1]?.trim();
      return {
        id: attribute('id'),
        direction: attribute('direction')?.toLowerCase(),
        state: /<(?:[\w-]+:)?state\b[^>]{0,200}>\s*([\w-]+)\s*</i.exec(chunk)?.[1]?.toLowerCase(),
      };
    });
}

/**
 * Dialogs → `ringing` (someone rings this person), `busy` (talking, or dialling out) or undefined
 * (no live dialog: the PIDF decides). A dialog never comes back from `terminated`: an id that is
 * terminated anywhere in the document, or in `ended` (ids seen terminated earlier), is over even
 * if an older `early`/`confirmed` copy of it is still listed — pua sends a new PUBLISH instead of
 * updating the old one when the next state comes before the PBX answered the previous, and that
 * stale copy stays on the presence server until it expires.
 */
export function dialogActivity(entries: readonly DialogEntry[], ended: ReadonlySet<string> = new Set()): DialogActivity {
  const over = new Set(entries.filter((e) => e.state === 'terminated' && e.id).map((e) => e.id!));
  let ringing = false;
  for (const { id, state, direction } of entries) {
    if (id !== undefined && (over.has(id) || ended.has(id))) continue;
    if (state === 'confirmed') return 'busy';
    if (state && EARLY.has(state)) {
      // Our own outgoing call still ringing at the far end: the person is on the phone already.
      if (direction === 'initiator') return 'busy';
      ringing = true;
    }
  }
  return ringing ? 'ringing' : undefined;
}

export function parseDialogInfo(body: string | undefined): DialogActivity {
  return dialogActivity(readDialogInfo(body));
}
