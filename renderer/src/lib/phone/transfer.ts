import type { Inviter, Notification, Referral, Session, URI } from 'sip.js';

/** How long we wait for the transferee's NOTIFY before giving up on a transfer. */
const NOTIFY_TIMEOUT_MS = 30_000;

/**
 * Sends REFER and resolves with whether the transferee reached the target: true on a NOTIFY with a
 * 2xx sipfrag, false on a refused REFER, a failure sipfrag or no answer within 30 s.
 */
export function referAndWait(session: Session, target: URI | Session): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), NOTIFY_TIMEOUT_MS);
    session
      .refer(target, {
        requestDelegate: { onReject: () => done(false) },
        onNotify: (notification: Notification) => {
          void notification.accept().catch(() => undefined);
          const status = /SIP\/2\.0\s+(\d{3})/.exec(notification.request.body ?? '')?.[1];
          if (!status) return;
          const code = Number(status);
          if (code >= 200 && code < 300) done(true);
          else if (code >= 300) done(false);
        },
      })
      .catch(() => done(false));
  });
}

/**
 * The Refer-To of an attended transfer. SIP.js would put the consulted party's Contact there, but
 * behind Kamailio a WebSocket client's Contact (`…@….invalid;transport=ws;alias=…`) is not routable
 * for anybody else; the address of record is, and the Replaces header still names the dialog.
 * SIP.js builds `"name" <uri?Replaces=…>` from whatever looks like a session with a dialog.
 */
export function attendedReferTarget(consultation: Session, aor: URI): Session {
  const dialog = consultation.dialog;
  if (!dialog) throw new Error('consultation call has no dialog');
  const lookalike = {
    dialog: { remoteTarget: aor, callId: dialog.callId, remoteTag: dialog.remoteTag, localTag: dialog.localTag },
    remoteIdentity: { friendlyName: consultation.remoteIdentity.friendlyName },
  };
  return lookalike as unknown as Session;
}

/** We are the transferee: accept the REFER and call the target; `adopt` puts the new call on a line. */
export async function followReferral(
  referral: Referral,
  sessionDescriptionHandlerOptions: object,
  adopt: (inviter: Inviter) => void,
): Promise<void> {
  await referral.accept();
  const inviter = referral.makeInviter({ sessionDescriptionHandlerOptions });
  adopt(inviter);
  await inviter.invite();
}
