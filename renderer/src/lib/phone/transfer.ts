import { SessionState, type Inviter, type Notification, type Referral, type Session, type URI } from 'sip.js';
import type { PhoneContext } from './context.js';
import { transferHeaders } from './consult-headers.js';
import { DialError } from './dial-error.js';
import type { Line } from './line.js';
import { callerNumber, parseDialInput } from './number.js';

/** How long we wait for the transferee's NOTIFY before giving up on a transfer. */
const NOTIFY_TIMEOUT_MS = 30_000;

/**
 * Sends REFER and resolves with whether the transferee reached the target: true on a NOTIFY with a
 * 2xx sipfrag, false on a refused REFER, a failure sipfrag or no answer within 30 s.
 */
export function referAndWait(session: Session, target: URI | Session, extraHeaders: string[] = []): Promise<boolean> {
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
        requestOptions: { extraHeaders },
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

/** The engine's own steps a transfer takes: hold the caller, and dial the consultation call. */
export interface TransferDeps {
  hold(id: string, on: boolean): Promise<void>;
  dial(input: string, options: { consultationFor: string }): Promise<string>;
}

/** Blind and attended transfer (RFC 3515 REFER, RFC 3891 Replaces), both as transferor and as transferee. */
export class Transfers {
  constructor(
    private readonly phone: PhoneContext,
    private readonly deps: TransferDeps,
  ) {}

  async blind(id: string, input: string): Promise<void> {
    const target = parseDialInput(input);
    if (!target.ok) throw new DialError(target.reason);
    const line = this.phone.lines.get(id);
    line.patch({ transfer: { kind: 'blind', target: target.user, state: 'pending' } });
    // Only a colleague's app reads the firm number; a number's owner learns nothing from us.
    const headers = target.kind === 'user' ? transferHeaders(line.view) : [];
    await this.finish(line, await referAndWait(line.session, this.phone.targetUri(target.user), headers));
  }

  /** Step 1 of an attended transfer: hold the caller and call the target. */
  async startConsultation(id: string, input: string): Promise<string> {
    await this.deps.hold(id, true);
    return this.deps.dial(input, { consultationFor: id });
  }

  /** Step 2: REFER the caller to the consulted party with Replaces; both our legs end. */
  async completeConsultation(consultId: string): Promise<void> {
    const { lines } = this.phone;
    const consult = lines.get(consultId);
    const original = consult.view.consultationFor ? lines.get(consult.view.consultationFor) : undefined;
    if (!original || original.view.status === 'ended' || !consult.established) throw new DialError('consult_not_ready');
    original.patch({ transfer: { kind: 'attended', target: consult.view.remoteUser, state: 'pending' } });
    const aor = this.phone.targetUri(consult.view.remoteUser);
    // An outside caller's phone may drop the Replaces (baresip does): it gets the colleague's address,
    // and the colleague's app, told by the PBX who transferred it, lets the call take the
    // consultation's place (IncomingCalls). A colleague's app honours Replaces itself.
    const app = original.view.caller === 'colleague' || !/^\+?[0-9*#]+$/.test(original.view.remoteUser);
    const target = app ? attendedReferTarget(consult.session, aor) : aor;
    const ok = await referAndWait(original.session, target, transferHeaders(original.view));
    await this.finish(original, ok);
    if (ok && consult.established) await consult.session.bye().catch(() => undefined);
  }

  /** One click: blind transfer to the firm's craftsman's mobile. */
  toMobile(id: string): Promise<void> {
    const mobile = this.phone.lines.get(id).view.lookup?.tenant?.mobile;
    if (!mobile) return Promise.reject(new DialError('no_mobile'));
    return this.blind(id, mobile);
  }

  /** A colleague transfers us (we are the transferee): follow the REFER on a new line. */
  async onRefer(line: Line, referral: Referral): Promise<void> {
    const { lines, recorder, ports } = this.phone;
    const slot = lines.freeSlot() ?? line.view.slot;
    const remoteUser = callerNumber(referral.referTo.uri.user);
    await followReferral(referral, this.phone.sdhOptions(), (inviter) => {
      const next = lines.open(inviter, slot, 'out', remoteUser, { viaTransfer: true });
      recorder.begin(next.view, (id) => next.patch({ recordId: id }), undefined, line.view.id);
      inviter.stateChange.addListener((state) => {
        if (state === SessionState.Established && line.established) {
          line.patch({ outcome: 'forwarded' });
          void line.session.bye().catch(() => undefined);
        }
      });
    }).catch((error: Error) => ports.log('warn', `REFER not followed: ${error.message}`));
  }

  private async finish(line: Line, ok: boolean): Promise<void> {
    const transfer = line.view.transfer;
    if (transfer) line.patch({ transfer: { ...transfer, state: ok ? 'done' : 'failed' } });
    if (!ok) return;
    line.patch({ outcome: 'forwarded' });
    if (line.established) await line.session.bye().catch(() => undefined);
  }
}
