/** What a colleague's entry shows; `busy` = "Im Gespräch", `unknown` = no NOTIFY yet. */
export type PeerPresence = 'available' | 'away' | 'dnd' | 'busy' | 'offline' | 'unknown';

/** What the user chooses (UI switch or tray). */
export type OwnChoice = 'available' | 'away' | 'dnd' | 'offline';

/** What we publish: the choice, overridden by an active call and by idle time. */
export type Published = 'available' | 'away' | 'dnd' | 'busy' | 'offline';

/**
 * The published status. Order of precedence: "Offline" and "Nicht stören" are explicit wishes and
 * win over everything; a call beats away (someone on the phone is at the desk); idle only turns
 * "Verfügbar" into "Abwesend".
 */
export function effectiveStatus(choice: OwnChoice, inCall: boolean, idle: boolean): Published {
  if (choice === 'offline' || choice === 'dnd') return choice;
  if (inCall) return 'busy';
  if (choice === 'away' || idle) return 'away';
  return 'available';
}
