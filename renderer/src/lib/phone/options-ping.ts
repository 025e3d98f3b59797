import { UserAgent } from 'sip.js';

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
