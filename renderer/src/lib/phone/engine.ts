import { Invitation, Inviter, SessionState, SIPExtension, UserAgent, type Session, type URI } from 'sip.js';
import { AudioRouting, type DeviceNotice } from './audio-routing.js';
import { sleep } from './timers.js';
import type { PhoneContext } from './context.js';
import { DialError } from './dial-error.js';
import type { DndAction } from './dnd.js';
import { consultHeaders } from './consult-headers.js';
import { askPbx, ForwardCheck, type ForwardCheckView } from './forward-check.js';
import { IncomingCalls } from './incoming.js';
import type { Line } from './line.js';
import { Lines } from './lines.js';
import { microphoneConstraints } from './media.js';
import { finalOutcome } from './line-view.js';
import { parseDialInput } from './number.js';
import { optionsPing } from './options-ping.js';
import type { PhonePorts } from './ports.js';
import { CallRecorder } from './call-recorder.js';
import { RegistrationKeeper } from './registration.js';
import { sipDisplayName, userUri } from './sip-uri.js';
import { Transfers } from './transfer.js';
import type { Ringtone } from '../../../../protocol/settings.js';
import { type AudioDevicePrefs, type DtmfMode, type LineView, type PhoneEngineConfig, type RegistrationView } from './types.js';

export type { PhoneEngineConfig };

/**
 * The phone engine: one SIP.js user agent, up to four lines, registration that recovers on its own.
 * It knows nothing about Svelte; `phone.svelte.ts` mirrors `registration` and `lines` into runes
 * on every `changed()` call. Its methods are its whole public face: the parts below are its own.
 */
export class PhoneEngine {
  /** Presence publishes and subscribes on the same user agent. */
  readonly ua: UserAgent;
  private readonly keeper: RegistrationKeeper;
  private readonly recorder: CallRecorder;
  private readonly audio: AudioRouting;
  /** Blind and attended transfer, as transferor and as transferee. */
  private readonly transfers: Transfers;
  /** Whether the PBX follows our DND forward to the configured target (asked, not assumed). */
  private readonly forwards: ForwardCheck;
  /** Calls reaching us: DND, full lines, the caller lookup before ringing, answer and decline. */
  private readonly incoming: IncomingCalls;
  /** The one owner of the lines; the collaborators reach them through the same registry. */
  private readonly registry: Lines;
  private dtmfMode: DtmfMode;
  private callActive = false;
  private readonly domain: string;
  private readonly user: string;
  private wasRegistered = false;
  /** Further listeners for every change (presence follows registration and calls through this). */
  readonly observers = new Set<() => void>();
  private readonly changed: () => void;

  constructor(
    private readonly config: PhoneEngineConfig,
    private readonly ports: PhonePorts,
    changed: () => void,
  ) {
    this.changed = () => {
      changed();
      for (const observer of this.observers) observer();
    };
    const uri = UserAgent.makeURI(config.aor);
    if (!uri) throw new Error(`not a SIP URI: ${config.aor}`);
    this.user = uri.user ?? '';
    this.domain = uri.port ? `${uri.host}:${uri.port}` : uri.host;
    this.dtmfMode = config.dtmfMode ?? 'rfc4733';
    this.audio = new AudioRouting(config, (message) => ports.log('warn', message), this.changed);
    navigator.mediaDevices?.addEventListener('devicechange', this.onDeviceChange);
    this.ua = new UserAgent({
      uri,
      ...(config.displayName === undefined ? {} : { displayName: sipDisplayName(config.displayName) }),
      ...(config.transportConstructor ? { transportConstructor: config.transportConstructor } : {}),
      transportOptions: config.transportOptions,
      ...(config.sessionDescriptionHandlerFactory
        ? { sessionDescriptionHandlerFactory: config.sessionDescriptionHandlerFactory }
        : {}),
      sipExtensionReplaces: SIPExtension.Supported,
      logBuiltinEnabled: false,
      logConnector: (level, category, _label, content) => {
        if (level === 'error' || level === 'warn') ports.log(level, `sip.js ${category}: ${content.slice(0, 500)}`);
      },
      sessionDescriptionHandlerFactoryOptions: {
        iceGatheringTimeout: config.iceGatheringTimeoutMs ?? 2000,
        peerConnectionConfiguration: { iceServers: config.iceServers ?? [] },
      },
      delegate: { onInvite: (invitation) => void this.incoming.onInvite(invitation) },
    });
    this.keeper = new RegistrationKeeper(this.ua, {
      keepAliveMs: config.keepAliveMs,
      log: (level, message) => ports.log(level, message),
      onChange: () => {
        this.changed();
        // The PBX may have been restarted with another policy (a trunk, other firms): ask again.
        const registered = this.keeper.view.status === 'registered';
        if (registered && !this.wasRegistered) this.incoming.checkForward(true);
        this.wasRegistered = registered;
      },
      ping: () => optionsPing(this.ua, this.domain),
    });
    this.forwards = new ForwardCheck((target) => askPbx(this.ua, this.domain, target), this.changed);
    this.recorder = new CallRecorder(
      ports,
      () => config.defaultTenant,
      () => this.user,
    );
    this.registry = new Lines({
      changed: () => this.onLineChanged(),
      follow: (line) => this.follow(line),
      log: (level, message) => ports.log(level, message),
    });
    const context: PhoneContext = {
      ua: this.ua,
      lines: this.registry,
      user: this.user,
      domain: this.domain,
      recorder: this.recorder,
      ports,
      targetUri: (user) => this.targetUri(user),
      sdhOptions: () => this.sdhOptions(),
      changed: this.changed,
    };
    this.incoming = new IncomingCalls(config, context, {
      forwards: this.forwards,
      registered: () => this.keeper.view.status === 'registered',
      audio: this.audio,
    });
    this.transfers = new Transfers(context, {
      hold: (id, on) => this.hold(id, on),
      dial: (input, options) => this.dial(input, options),
    });
  }

  get registration(): RegistrationView {
    return this.keeper.view;
  }

  /** Every line the UI shows, ended ones included while they linger. */
  get lines(): readonly Line[] {
    return this.registry.list;
  }

  start(): Promise<void> {
    return this.keeper.start();
  }

  async stop(): Promise<void> {
    for (const line of [...this.lines]) await this.hangup(line.view.id).catch(() => undefined);
    this.ringer.stop();
    navigator.mediaDevices?.removeEventListener('devicechange', this.onDeviceChange);
    await this.keeper.stop();
    await Promise.race([this.ua.stop(), new Promise((resolve) => setTimeout(resolve, 2000))]);
  }

  line(id: string): Line {
    return this.registry.get(id);
  }

  /** Copies of the lines' views, for the UI. */
  views(): LineView[] {
    return this.registry.views();
  }

  private sdhOptions(): { constraints: MediaStreamConstraints } {
    return { constraints: { audio: microphoneConstraints(this.devices), video: false } };
  }

  /** Every new line: its session's states drive the line, and a REFER on it is followed. */
  private follow(line: Line): void {
    const session = line.session;
    session.stateChange.addListener((state) => {
      if (state === SessionState.Established) void this.onEstablished(line);
      // Deferred: SIP.js reports Terminated before it hands the final response to our delegate.
      if (state === SessionState.Terminated) setTimeout(() => this.onTerminated(line), 0);
    });
    session.delegate = { ...session.delegate, onRefer: (referral) => void this.transfers.onRefer(line, referral) };
  }

  private onLineChanged(): void {
    const active = this.registry.anyConnected();
    if (active !== this.callActive) {
      this.callActive = active;
      this.ports.setCallActive(active);
    }
    this.changed();
  }

  get devices(): AudioDevicePrefs {
    return this.audio.devices;
  }

  get ringer(): AudioRouting['ringer'] {
    return this.audio.ringer;
  }

  ring(waiting: boolean): Promise<void> {
    return this.audio.ring(waiting);
  }

  setRingtone(ringtone: Ringtone): void {
    this.audio.ringtone = ringtone;
  }

  answer(id: string): Promise<void> {
    return this.incoming.answer(id);
  }

  /** Decline (603) or busy (486) a ringing call. */
  reject(id: string, statusCode: 486 | 603 = 603): Promise<void> {
    return this.incoming.reject(id, statusCode);
  }

  async hangup(id: string): Promise<void> {
    const line = this.line(id);
    const session = line.session;
    if (session.state === SessionState.Initial || session.state === SessionState.Establishing) {
      if (session instanceof Inviter) await session.cancel();
      else if (session instanceof Invitation) await this.reject(id, 603);
    } else if (session.state === SessionState.Established) {
      await session.bye();
    }
  }

  /**
   * Dials what the user typed (German number input, a colleague's user name, a sip: URI). `asFirm`:
   * one of a firm's numbers, to call on the firm's behalf (a callback from its note or contact): the PBX
   * presents that number and bills the firm, only if this user serves it (docs/pbx.md, rule 12); with
   * `tenant`, the firm's id, the call's history row is filed under that firm.
   */
  async dial(
    input: string,
    options: { consultationFor?: string; contactId?: string; asFirm?: string; tenant?: string } = {},
  ): Promise<string> {
    const target = parseDialInput(input);
    if (!target.ok) throw new DialError(target.reason);
    const slot = this.registry.freeSlot();
    if (slot === undefined) throw new DialError('no_line');
    const uri = this.targetUri(target.user);
    // A consultation tells the colleague whom it is about, for his "Durchgestellt von …" line.
    const original = options.consultationFor ? this.registry.get(options.consultationFor).view : undefined;
    const extraHeaders = original ? consultHeaders(original) : [];
    const line = this.registry.open(
      new Inviter(this.ua, uri, {
        sessionDescriptionHandlerOptions: this.sdhOptions(),
        extraHeaders: [
          ...extraHeaders,
          ...(options.asFirm && /^[+]?[0-9]{3,20}$/.test(options.asFirm)
            ? [`P-Preferred-Identity: <${userUri(options.asFirm, this.domain)}>`]
            : []),
        ],
      }),
      slot,
      'out',
      target.user,
      { remoteName: undefined, consultationFor: options.consultationFor },
    );
    if (!options.consultationFor) await this.registry.holdOthers(line);
    const lookup = this.ports.lookupCaller(target.user, undefined).catch(() => null);
    // On a firm's behalf the history row is the firm's (`tenant`), so the call appears in its history.
    this.recorder.begin(
      line.view,
      (id) => line.patch({ recordId: id }),
      lookup,
      options.consultationFor,
      options.asFirm ? options.tenant : undefined,
    );
    line.patch({ lookup: await Promise.race([lookup, sleep(300).then(() => null)]) });
    const session = line.session as Inviter;
    await session.invite({
      requestDelegate: {
        onProgress: () => line.view.status === 'dialing' && line.patch({ status: 'ringback' }),
        onReject: (response) => line.patch({ endCode: response.message.statusCode }),
      },
    });
    return line.view.id;
  }

  targetUri(user: string): URI {
    const uri = UserAgent.makeURI(userUri(user, this.domain));
    if (!uri) throw new DialError('invalid');
    return uri;
  }

  async hold(id: string, on: boolean): Promise<void> {
    const line = this.line(id);
    if (!on) await this.registry.holdOthers(line);
    await line.setHold(on);
  }

  /** Makes this line the one we talk on; every other connected line goes on hold. */
  swap(id: string): Promise<void> {
    return this.hold(id, false);
  }

  mute(id: string, muted: boolean): void {
    this.line(id).setMuted(muted);
  }

  sendDtmf(id: string, digits: string): Promise<void> {
    return this.line(id).sendDtmf(digits, this.dtmfMode);
  }

  private async onEstablished(line: Line): Promise<void> {
    line.patch({ status: 'connected', answeredAt: Date.now() });
    this.recorder.answered(line.view, sipCallId(line.session));
    const ok = await line.attachAudio(this.devices);
    if (!ok) this.ports.log('warn', 'speaker device unavailable: playing on the default device');
  }

  private onTerminated(line: Line): void {
    const view = line.view;
    const outcome = finalOutcome(view);
    line.patch({ status: 'ended', endedAt: Date.now(), outcome });
    line.dispose();
    this.recorder.ended(line.view, line.holdSeconds(line.view.endedAt));
    this.ports.closeNotification(view.id);
    if (outcome === 'missed' && view.direction === 'in') {
      const who = view.lookup?.contact?.name ?? view.remoteName ?? view.remoteUser;
      this.ports.notify({
        id: `${view.id}-missed`,
        kind: 'missed',
        title: this.ports.text('missedTitle', { who }),
        body: view.remoteUser,
      });
    }
    this.incoming.stopRingingIfIdle();
    setTimeout(() => this.registry.remove(line), this.config.endedLingerMs ?? 4000);
  }

  setDtmfMode(mode: DtmfMode): void {
    this.dtmfMode = mode;
  }

  blindTransfer(id: string, target: string): Promise<void> {
    return this.transfers.blind(id, target);
  }

  /** Step 1 of an attended transfer: hold the caller and call the target; resolves with the new line. */
  startConsultation(id: string, target: string): Promise<string> {
    return this.transfers.startConsultation(id, target);
  }

  /** Step 2: hand the held caller to the consulted party; both our legs end. */
  completeConsultation(consultId: string): Promise<void> {
    return this.transfers.completeConsultation(consultId);
  }

  /** One click: blind transfer to the firm's craftsman's mobile. */
  transferToMobile(id: string): Promise<void> {
    return this.transfers.toMobile(id);
  }

  /** What the PBX said about the DND forward target (Settings shows it). */
  get forwardCheck(): ForwardCheckView | undefined {
    return this.forwards.view;
  }

  /** Resolves when every pending history write has settled (tests, shutdown). */
  settled(): Promise<void> {
    return this.recorder.settled();
  }

  get dnd(): boolean {
    return this.incoming.dnd;
  }

  setDnd(on: boolean): void {
    this.incoming.setDnd(on);
  }

  /** The Settings choice for DND: takes effect with the next incoming call. */
  setDndForward(action: DndAction, target: string): void {
    this.incoming.setDndForward(action, target);
  }

  /** The store learnt firms or contacts: lines without a full match look the caller up again. */
  refreshLookups(): void {
    this.incoming.refreshLookups();
  }

  /** New device choice, for the ringer and every running call now; false (and a notice) on a fallback. */
  setDevices(devices: AudioDevicePrefs): Promise<boolean> {
    return this.audio.apply(devices, this.registry.live());
  }

  /** The last device notice for the UI, once. */
  takeNotice(): DeviceNotice | undefined {
    return this.audio.takeNotice();
  }

  private readonly onDeviceChange = (): void => void this.devicesChanged();

  devicesChanged(): Promise<boolean> {
    return this.audio.devicesChanged(this.registry.live());
  }
}

/** The Call-ID of a session's INVITE, as the PBX logs it in the call detail record. */
function sipCallId(session: Session): string | undefined {
  const request = (session as Partial<Pick<Invitation, 'request'>>).request as { callId?: unknown } | undefined;
  return typeof request?.callId === 'string' ? request.callId : undefined;
}
