import type { Invitation } from 'sip.js';
import { callerNumber } from './number.js';

/** The number the caller dialled: P-Called-Party-ID (set by the PBX for firm numbers), else the To user. */
export function dialledNumber(invitation: Invitation, ownUser: string): string | undefined {
  const header = invitation.request.getHeader('P-Called-Party-ID');
  const fromHeader = header ? /<?sips?:([^@;>]+)/i.exec(header)?.[1] : undefined;
  if (fromHeader) return callerNumber(fromHeader);
  const to = invitation.request.to.uri.user;
  return to && to !== ownUser ? callerNumber(to) : undefined;
}
