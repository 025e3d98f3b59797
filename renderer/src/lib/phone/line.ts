import { Invitation, SessionState, type Core, type Info, type Session } from 'sip.js';
import { RemoteAudio, replaceMicrophone, setSendersEnabled } from './media.js';
import { audioDirection, isHoldOffer } from './sdp.js';
import type { AudioDevicePrefs, DtmfMode, LineView } from './types.js';

const DTMF_TONE = /^[0-9A-D#*]$/;
/** The 2xx is retransmitted for up to 32 s (RFC 3261 13.3.1.4); over WebSocket the ACK comes or never will. */
const ACK_WAIT_MS = 4000;

/** One call: its SIP.js session, its remote audio and the view the UI renders. */
export class Line {
  readonly audio = new RemoteAudio();
  readonly session: Session;
  /** Resolves once the initial INVITE transaction is over: at once for calls we placed, on the ACK for calls we answered. */
  private readonly confirmed: Promise<void>;
  private ackArrived: () => void = () => undefined;

  private current: LineView;

  constructor(
    view: LineView,
    session: Session,
    private readonly changed: () => void,
  ) {
    this.current = view;
    this.session = session;
    this.confirmed =
      session instanceof Invitation ? new Promise<void>((resolve) => (this.ackArrived = resolve)) : Promise.resolve();
    session.delegate = {
      ...session.delegate,
      onAck: () => this.ackArrived(),
      onInvite: (request: Core.IncomingRequestMessage) => this.onReinvite(request),
      onInfo: (info: Info) => this.onInfo(info),
    };
  }

  /**
   * RFC 3261 14.1: no re-INVITE while the initial INVITE transaction is still open. SIP.js marks an
   * answered call Established when it sends the 200, before the ACK; a hold re-INVITE sent in that
   * gap leaves our offer pending when the ACK arrives, and SIP.js then ends the call with
   * BYE (Reason 488). Answer-then-hold within a few hundred ms is exactly what a consultation does.
   */
  private waitConfirmed(): Promise<void> {
    return Promise.race([this.confirmed, new Promise<void>((resolve) => setTimeout(resolve, ACK_WAIT_MS))]);
  }

  get established(): boolean {
    return this.session.state === SessionState.Established;
  }

  /** What the UI renders; read-only, so every change goes through `patch` and the UI hears of it. */
  get view(): Readonly<LineView> {
    return this.current;
  }

  patch(values: Partial<LineView>): void {
    this.current = { ...this.current, ...values };
    this.changed();
  }

  /** A re-INVITE from the far end: sendonly/inactive means we are being held. */
  private onReinvite(request: Core.IncomingRequestMessage): void {
    const held = isHoldOffer(audioDirection(request.body));
    if (held !== this.view.remoteHold) this.patch({ remoteHold: held });
  }

  /** SIP INFO DTMF (application/dtmf-relay or application/dtmf) from the far end. */
  private onInfo(info: Info): void {
    const body = info.request.body ?? '';
    const type = String(info.request.getHeader('Content-Type') ?? '').toLowerCase();
    void info.accept().catch(() => undefined);
    let tone: string | undefined;
    if (type.includes('dtmf-relay')) tone = /Signal\s*=\s*([0-9A-D#*])/i.exec(body)?.[1];
    else if (type.includes('application/dtmf')) tone = /^\s*([0-9A-D#*])/i.exec(body)?.[1];
    if (tone) this.patch({ dtmfReceived: (this.view.dtmfReceived + tone.toUpperCase()).slice(-64) });
  }

  /** Time we held the far end (the billing report's hold time): closed spells, and the open one's start. */
  private heldMs = 0;
  private holdSince: number | undefined;

  /** Whole seconds we held the far end, up to `until` for a hold still on (rounded half up). */
  holdSeconds(until = Date.now()): number {
    const open = this.holdSince === undefined ? 0 : Math.max(0, until - this.holdSince);
    return Math.round((this.heldMs + open) / 1000);
  }

  private countHold(hold: boolean): void {
    const now = Date.now();
    if (hold && this.holdSince === undefined) this.holdSince = now;
    if (!hold && this.holdSince !== undefined) {
      this.heldMs += now - this.holdSince;
      this.holdSince = undefined;
    }
  }

  /** Re-INVITE with sendonly (or inactive when they hold us too); resolves once the PBX accepted it. */
  async setHold(hold: boolean): Promise<void> {
    if (!this.established || this.view.localHold === hold) return;
    await this.waitConfirmed();
    if (!this.established) throw new Error('call ended before hold');
    const options = this.session.sessionDescriptionHandlerOptionsReInvite as { hold?: boolean };
    this.session.sessionDescriptionHandlerOptionsReInvite = { ...options, hold } as object;
    const session = this.session;
    let ended: ((state: SessionState) => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        // A re-INVITE that never gets an answer must not hang the caller (a consultation waits on it).
        ended = (state) => state === SessionState.Terminated && reject(new Error('call ended during hold re-INVITE'));
        session.stateChange.addListener(ended);
        session
          .invite({
            requestDelegate: {
              onAccept: () => {
                setSendersEnabled(session, !hold && !this.view.muted);
                this.countHold(hold);
                this.patch({ localHold: hold });
                resolve();
              },
              onReject: (response) => {
                session.sessionDescriptionHandlerOptionsReInvite = { ...options, hold: !hold } as object;
                reject(new Error(`hold re-INVITE refused: ${response.message.statusCode}`));
              },
            },
          })
          .catch(reject);
      });
    } finally {
      if (ended) session.stateChange.removeListener(ended);
    }
  }

  setMuted(muted: boolean): void {
    setSendersEnabled(this.session, !muted && !this.view.localHold);
    this.patch({ muted });
  }

  /** RFC 4733 through RTCDTMFSender, or SIP INFO (application/dtmf-relay) when the setting says so. */
  async sendDtmf(digits: string, mode: DtmfMode): Promise<void> {
    const tones = [...digits.toUpperCase()].filter((tone) => DTMF_TONE.test(tone));
    if (tones.length === 0 || !this.established) return;
    if (mode === 'rfc4733') {
      const sdh = this.session.sessionDescriptionHandler as { sendDtmf(tones: string, options?: object): boolean } | undefined;
      if (!sdh?.sendDtmf(tones.join(''), { duration: 100, interToneGap: 70 })) throw new Error('no DTMF sender on this call');
    } else {
      for (const tone of tones) {
        await this.session.info({
          requestOptions: {
            body: {
              contentDisposition: 'render',
              contentType: 'application/dtmf-relay',
              content: `Signal=${tone}\r\nDuration=160`,
            },
          },
        });
      }
    }
    this.patch({ dtmfSent: (this.view.dtmfSent + tones.join('')).slice(-64) });
  }

  async attachAudio(devices: AudioDevicePrefs): Promise<boolean> {
    return this.audio.attach(this.session, devices.speaker);
  }

  async switchDevices(devices: AudioDevicePrefs, microphoneChanged: boolean): Promise<boolean> {
    const speakerOk = await this.audio.setSpeaker(devices.speaker);
    let micOk = true;
    if (microphoneChanged && this.established) {
      micOk = await replaceMicrophone(this.session, devices, this.view.muted || this.view.localHold).catch(() => false);
    }
    return speakerOk && micOk;
  }

  dispose(): void {
    this.audio.detach();
    this.session.delegate = undefined;
  }
}
