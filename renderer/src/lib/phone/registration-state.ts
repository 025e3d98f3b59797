import { checkTransition } from './state-machine.js';
import type { RegistrationStatus } from './types.js';

/**
 * The registration's states and the only ways between them, as SIP.js's RegistererState documents
 * its own. A status may always be set again (a new attempt, detail or time); any other change not
 * listed here is a bug in the keeper, and is refused.
 *
 * ```
 * unregistered --> connecting                      start()
 * connecting   --> registering | reconnecting | failed | offline
 * registering  --> registered | reconnecting | failed | offline
 * registered   --> registering | reconnecting | failed | offline     re-check, lapse, refusal, no network
 * reconnecting --> registering | registered | failed | offline
 * offline      --> registering | registered | reconnecting | failed
 * failed       --> registered | offline                              retries keep "failed" until one succeeds
 * any          --> unregistered                                      stop()
 * ```
 */
export const registrationTransitions: Record<RegistrationStatus, readonly RegistrationStatus[]> = {
  unregistered: ['connecting'],
  connecting: ['registering', 'reconnecting', 'failed', 'offline', 'unregistered'],
  registering: ['registered', 'reconnecting', 'failed', 'offline', 'unregistered'],
  registered: ['registering', 'reconnecting', 'failed', 'offline', 'unregistered'],
  reconnecting: ['registering', 'registered', 'failed', 'offline', 'unregistered'],
  offline: ['registering', 'registered', 'reconnecting', 'failed', 'unregistered'],
  failed: ['registered', 'offline', 'unregistered'],
};

/** Throws IllegalTransition for a change the table does not allow. */
export function checkMove(from: RegistrationStatus, to: RegistrationStatus): void {
  checkTransition(registrationTransitions, 'registration', from, to);
}
