import { UserAgent, type Invitation } from 'sip.js';
import { stripUnsafeText } from '../../../../protocol/text-values.js';
import { callerNumber } from './number.js';

/** The number the caller dialled: P-Called-Party-ID (set by the PBX for firm numbers), else the To user. */
export function dialledNumber(invitation: Invitation, ownUser: string): string | undefined {
  const header = invitation.request.getHeader('P-Called-Party-ID');
  const fromHeader = header ? /<?sips?:([^@;>]+)/i.exec(header)?.[1] : undefined;
  if (fromHeader) return callerNumber(fromHeader);
  const to = invitation.request.to.uri.user;
  return to && to !== ownUser ? callerNumber(to) : undefined;
}

/** OPTIONS to the registrar (keep-alive); resolves on any final response. */
export function optionsPing(ua: UserAgent, domain: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const core = ua.userAgentCore;
    const target = UserAgent.makeURI(`sip:${domain}`);
    if (!target) return reject(new Error('bad domain'));
    const message = core.makeOutgoingRequestMessage('OPTIONS', target, ua.configuration.uri, target, {});
    core.request(message, { onAccept: () => resolve(), onReject: () => resolve() });
  });
}

/**
 * A display name as the content of a SIP quoted-string (sip.js puts it between quotes verbatim):
 * line breaks and tabs become spaces and other controls go, so a name can never end the header
 * or start another one; `"` and `\\` are escaped as quoted-pairs (RFC 3261 §25.1).
 */
export function sipDisplayName(name: string): string {
  return stripUnsafeText(name)
    .replace(/[\r\n\t]+/g, ' ')
    .trim()
    .replace(/["\\]/g, (c) => `\\${c}`);
}
