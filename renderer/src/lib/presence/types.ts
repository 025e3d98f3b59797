/**
 * What a colleague's entry shows; `busy` = "Im Gespräch", `ringing` = "Klingelt" (from the PBX's
 * dialog-info), `wrapup` = "Nacharbeit" (after a call, until its note is saved), `unknown` = no NOTIFY yet.
 */
export type PeerPresence = 'available' | 'away' | 'dnd' | 'busy' | 'wrapup' | 'ringing' | 'offline' | 'unknown';

/** What the PBX's dialog-info says about someone's calls; undefined: no live call (or unreadable). */
export type DialogActivity = 'ringing' | 'busy' | undefined;

/** What the user chooses (UI switch or tray). */
export type OwnChoice = 'available' | 'away' | 'dnd' | 'offline';

/** What we publish: the choice, overridden by an active call and by idle time. */
export type Published = 'available' | 'away' | 'dnd' | 'busy' | 'wrapup' | 'offline';

/**
 * The published status. Order of precedence: "Offline" and "Nicht stören" are explicit wishes and
 * win over everything; a call beats away (someone on the phone is at the desk), and so does the
 * after-call work that follows it ("Nacharbeit": she is at the desk, writing the note); idle only
 * turns "Verfügbar" into "Abwesend".
 */
export function effectiveStatus(choice: OwnChoice, inCall: boolean, idle: boolean, wrapUp = false): Published {
  if (choice === 'offline' || choice === 'dnd') return choice;
  if (inCall) return 'busy';
  if (wrapUp) return 'wrapup';
  if (choice === 'away' || idle) return 'away';
  return 'available';
}

/**
 * A colleague's entry from both subscriptions. A live call seen by the PBX wins over the published
 * status: it is current even when that person's app is closed or has not published yet, and a
 * ringing or talking colleague is not free for a transfer whatever they chose.
 */
export function peerState(published: PeerPresence, dialog: DialogActivity): PeerPresence {
  return dialog ?? published;
}
