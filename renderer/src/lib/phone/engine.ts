import {
  Invitation,
  Inviter,
  SessionState,
  SIPExtension,
  UserAgent,
  type Session,
  type UserAgentOptions,
  type URI,
} from 'sip.js';
import { AudioRouting, type DeviceNotice } from './audio-routing.js';
import { DialError } from './dial-error.js';
import { dndDecision, forwardTarget, type DndAction } from './dnd.js';
import { askPbx, ForwardCheck, FORWARDED_BY } from './forward-check.js';
import { Line } from './line.js';
import { microphoneConstraints } from './media.js';
import { newLineView, finalOutcome } from './line-view.js';
import { callerNumber, parseDialInput } from './number.js';
import { dialledNumber, optionsPing } from './sip-requests.js';
import type { PhonePorts } from './ports.js';
import { CallRecorder } from './records.js';
import { RegistrationKeeper } from './registration.js';
import { Transfers } from './transfer.js';
import type { Ringtone } from '../../../../protocol/settings.js';
import { MAX_LINES, type AudioDevicePrefs, type DtmfMode, type LineView, type RegistrationView } from './types.js';

export interface PhoneEngineConfig {
  /** Our address of record, `sip:<certificate CN>@<sip domain>`. */
  aor: string;
  displayName?: string;
  /** The bridged transport in the app; SIP.js's WebSocket transport in plain-SIP.js setups. */
  transportConstructor?: UserAgentOptions['transportConstructor'];
  transportOptions?: unknown;
  iceServers?: RTCIceServer[];
  /** Setup never waits longer on an unreachable STUN/TURN server (issue 6: about 2 s). */
  iceGatheringTimeoutMs?: number;
  dtmfMode?: DtmfMode;
  devices?: AudioDevicePrefs;
  /** The tenant of records when neither the dialled number nor a contact names one. */
  defaultTenant?: string;
  /** Ringing starts at the latest after this long, even if the caller lookup is still running. */
  lookupTimeoutMs?: number;
  /** How long an ended line stays visible. */
  endedLingerMs?: number;
  keepAliveMs?: number;
  ringtone?: Ringtone;
  /** What DND does with a call: 486, or 302 to `dndForward` (a colleague's user or a number). */
  dndAction?: DndAction;
  dndForward?: string;
  /** The ringtone file; the renderer build's asset by default. */
  ringtoneUrl?: string;
}

/**
 * The phone engine: one SIP.js user agent, up to four lines, registration that recovers on its own.
 * It knows nothing about Svelte; `phone.svelte.ts` mirrors `registration` and `lines` into runes
 * on every `changed()` call.
 */
export class PhoneEngine {
  readonly ua: UserAgent;
  readonly keeper: RegistrationKeeper;
  readonly recorder: CallRecorder;
  readonly audio: AudioRouting;
  readonly transfers: Transfers;
  /** Whether the PBX follows our DND forward to the configured target (asked, not assumed). */
  readonly forwards: ForwardCheck;
  lines: Line[] = [];
  dnd = false;
  dtmfMode: DtmfMode;
  private callActive = false;
  private readonly domain: string;
  private readonly user: string;
  private nextId = 1;
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
      displayName: config.displayName,
      ...(config.transportConstructor ? { transportConstructor: config.transportConstructor } : {}),
      transportOptions: config.transportOptions,
      sipExtensionReplaces: SIPExtension.Supported,
      logBuiltinEnabled: false,
      logConnector: (level, category, _label, content) => {
        if (level === 'error' || level === 'warn') ports.log(level, `sip.js ${category}: ${content.slice(0, 500)}`);
      },
      sessionDescriptionHandlerFactoryOptions: {
        iceGatheringTimeout: config.iceGatheringTimeoutMs ?? 2000,
        peerConnectionConfiguration: { iceServers: config.iceServers ?? [] },
      },
      delegate: { onInvite: (invitation) => void this.onInvite(invitation) },
    });
    this.keeper = new RegistrationKeeper(this.ua, {
      keepAliveMs: config.keepAliveMs,
      log: (level, message) => ports.log(level, message),
      onChange: () => {
        this.changed();
        // The PBX may have been restarted with another policy (a trunk, other firms): ask again.
        const registered = this.keeper.view.status === 'registered';
        if (registered && !this.wasRegistered) this.checkForward(true);
        this.wasRegistered = registered;
      },
      ping: () => optionsPing(this.ua, this.domain),
    });
    this.forwards = new ForwardCheck((target) => askPbx(this.ua, this.domain, target), this.changed);
    this.recorder = new CallRecorder(ports, () => config.defaultTenant);
    this.transfers = new Transfers({
      line: (id) => this.line(id),
      targetUri: (user) => this.targetUri(user),
      hold: (id, on) => this.hold(id, on),
      dial: (input, options) => this.dial(input, options),
      freeSlot: () => this.freeSlot(),
      newView: (slot, direction, remoteUser, values) => this.newView(slot, direction, remoteUser, values),
      adopt: (view, session) => this.adopt(view, session),
      record: (line) => this.recorder.begin(line.view, (id) => (line.view.recordId = id)),
      sdhOptions: () => this.sdhOptions(),
      log: (level, message) => ports.log(level, message),
    });
  }

  get registration(): RegistrationView {
    return this.keeper.view;
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
    const line = this.lines.find((candidate) => candidate.view.id === id);
    if (!line) throw new Error(`no line ${id}`);
    return line;
  }

  private live(): Line[] {
    return this.lines.filter((line) => line.view.status !== 'ended');
  }

  private freeSlot(): number | undefined {
    const used = new Set(this.live().map((line) => line.view.slot));
    for (let slot = 1; slot <= MAX_LINES; slot++) if (!used.has(slot)) return slot;
    return undefined;
  }

  private sdhOptions(): { constraints: MediaStreamConstraints } {
    return { constraints: { audio: microphoneConstraints(this.devices), video: false } };
  }

  private newView(slot: number, direction: 'in' | 'out', remoteUser: string, values: Partial<LineView> = {}): LineView {
    return newLineView(`line-${this.nextId++}`, slot, direction, remoteUser, values);
  }

  private adopt(view: LineView, session: Session): Line {
    const line = new Line(view, session, () => this.onLineChanged());
    this.lines.push(line);
    session.stateChange.addListener((state) => {
      if (state === SessionState.Established) void this.onEstablished(line);
      // Deferred: SIP.js reports Terminated before it hands the final response to our delegate.
      if (state === SessionState.Terminated) setTimeout(() => this.onTerminated(line), 0);
    });
    session.delegate = { ...session.delegate, onRefer: (referral) => void this.transfers.onRefer(line, referral) };
    return line;
  }

  private onLineChanged(): void {
    const active = this.lines.some((line) => line.view.status === 'connected');
    if (active !== this.callActive) {
      this.callActive = active;
      this.ports.setCallActive(active);
    }
    this.changed();
  }

  /** An incoming INVITE: look up caller and firm first, then ring (or refuse for DND / full lines). */
  private async onInvite(invitation: Invitation): Promise<void> {
    const remoteUser = callerNumber(invitation.remoteIdentity.uri.user);
    const dialled = dialledNumber(invitation, this.user);
    const slot = this.freeSlot();
    let decision = dndDecision({
      dnd: this.dnd,
      action: this.config.dndAction ?? 'reject',
      target: this.config.dndForward ?? '',
      self: this.user,
      domain: this.domain,
    });
    // The PBX follows one forward per call and says so on the forwarded INVITE; a target it refuses or a
    // second forward would reach the caller as 486 anyway, so answer that ourselves and record it as busy.
    const forwardedBy = invitation.request.getHeader(FORWARDED_BY);
    if (decision.kind === 'forward' && (forwardedBy || this.forwards.refuses(decision.target))) {
      const why = forwardedBy ? `the call was forwarded already (by ${forwardedBy.slice(0, 64)})` : 'the PBX refuses that target';
      this.ports.log('info', `DND forward to ${decision.target} not attempted: ${why}; answering 486`);
      decision = { kind: 'reject' };
    }
    if (decision.kind !== 'ring' || slot === undefined) {
      const forward = decision.kind === 'forward' ? decision : undefined;
      const code = forward ? 302 : 486;
      // SIP.js 0.21 sends a 3xx through reject(); the PBX follows it (docs/pbx.md), browsers would not.
      const headers = forward ? [`Contact: <${forward.uri}>`] : [];
      const outcome = forward ? 'forwarded' : 'busy';
      const view = this.newView(slot ?? 0, 'in', remoteUser, { dialled, status: 'ended', outcome, endCode: code });
      view.endedAt = view.startedAt;
      view.remoteName = invitation.remoteIdentity.displayName || undefined;
      // The history row is queued before the answer goes out, so whoever sees the 486/302 and then
      // waits for the recorder to settle finds the finished row, never a half-written one.
      this.recorder.begin(view, () => undefined, this.ports.lookupCaller(remoteUser, dialled));
      this.recorder.update(view.id, { ended_at: new Date(view.endedAt).toISOString(), outcome });
      await invitation.reject({ statusCode: code, extraHeaders: headers }).catch(() => undefined);
      const why = forward ? `forwarded to ${forward.target}` : 'refused with 486';
      this.ports.log('info', `incoming call from ${remoteUser} ${why} (${this.dnd ? 'do not disturb' : 'all lines busy'})`);
      this.changed();
      return;
    }
    const replaced = invitation.replacee ? this.lines.find((line) => line.session === invitation.replacee) : undefined;
    const line = this.adopt(
      this.newView(slot, 'in', remoteUser, {
        dialled,
        remoteName: invitation.remoteIdentity.displayName || undefined,
        viaTransfer: replaced !== undefined,
      }),
      invitation,
    );
    this.changed();
    const lookup = this.ports.lookupCaller(remoteUser, dialled).catch((error: unknown) => {
      this.ports.log('warn', `caller lookup failed: ${String(error)}`);
      return null;
    });
    // Queued at once, so a caller who hangs up during the lookup still leaves a missed call.
    this.recorder.begin(line.view, (id) => (line.view.recordId = id), lookup);
    const first = await Promise.race([lookup, sleep(this.config.lookupTimeoutMs ?? 400).then(() => undefined)]);
    if (first !== undefined) line.view.lookup = first;
    else void lookup.then((late) => line.view.status !== 'ended' && line.patch({ lookup: late }));
    if (line.view.status === 'ended') return;
    if (replaced) {
      // Attended transfer to us: the colleague already talked to us on the replaced call.
      line.patch({ status: 'ringing' });
      await this.answer(line.view.id);
      return;
    }
    line.patch({ status: 'ringing' });
    const waiting = this.live().some((other) => other !== line && other.view.status === 'connected');
    void this.ring(waiting);
    const firm = line.view.lookup?.tenant?.name;
    const who = line.view.lookup?.contact?.name ?? line.view.remoteName ?? remoteUser;
    this.ports.notify({
      id: line.view.id,
      kind: 'incoming',
      title: this.ports.text('incomingTitle', { firm: firm ?? '', who }),
      body: this.ports.text('incomingBody', { who, number: remoteUser }),
    });
  }

  /**
   * The store learnt firms or contacts (the first sync pull after a fresh install, a contact created
   * while the caller waits): calls still up without a full match look again, so the card fills in.
   */
  refreshLookups(): void {
    for (const line of this.live()) {
      const known = line.view.lookup;
      if (known?.tenant && known.contact) continue;
      void this.ports
        .lookupCaller(line.view.remoteUser, line.view.direction === 'in' ? line.view.dialled : undefined)
        .then((fresh) => {
          if (!fresh || line.view.status === 'ended') return;
          // The row learns the caller too (its firm stays: see CallRecorder.begin).
          if (fresh.contact && fresh.contact.id !== known?.contact?.id)
            this.recorder.update(line.view.id, { contact_id: fresh.contact.id });
          line.patch({ lookup: fresh });
        })
        .catch(() => undefined);
    }
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

  private stopRingingIfIdle(): void {
    if (!this.live().some((line) => line.view.status === 'ringing')) this.ringer.stop();
  }

  async answer(id: string): Promise<void> {
    const line = this.line(id);
    if (!(line.session instanceof Invitation) || line.view.status !== 'ringing') return;
    // The call an attended transfer replaces ends on its own: holding it first only adds a re-INVITE.
    await this.holdOthers(line, line.session.replacee);
    this.ports.closeNotification(id);
    line.patch({ status: 'dialing' });
    this.stopRingingIfIdle();
    await line.session.accept({ sessionDescriptionHandlerOptions: this.sdhOptions() });
  }

  /** Decline (603) or busy (486) a ringing call. */
  async reject(id: string, statusCode: 486 | 603 = 603): Promise<void> {
    const line = this.line(id);
    if (!(line.session instanceof Invitation) || line.session.state !== SessionState.Initial) return;
    line.patch({ outcome: statusCode === 486 ? 'busy' : 'rejected', endCode: statusCode });
    await line.session.reject({ statusCode });
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

  /** Dials what the user typed (German number input, a colleague's user name, a sip: URI). */
  async dial(input: string, options: { consultationFor?: string; contactId?: string } = {}): Promise<string> {
    const target = parseDialInput(input);
    if (!target.ok) throw new DialError(target.reason);
    const slot = this.freeSlot();
    if (slot === undefined) throw new DialError('no_line');
    const uri = this.targetUri(target.user);
    const line = this.adopt(
      this.newView(slot, 'out', target.user, { remoteName: undefined, consultationFor: options.consultationFor }),
      new Inviter(this.ua, uri, { sessionDescriptionHandlerOptions: this.sdhOptions() }),
    );
    if (!options.consultationFor) await this.holdOthers(line);
    this.changed();
    const lookup = this.ports.lookupCaller(target.user, undefined).catch(() => null);
    this.recorder.begin(line.view, (id) => (line.view.recordId = id), lookup);
    line.view.lookup = await Promise.race([lookup, sleep(300).then(() => null)]);
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
    const uri = UserAgent.makeURI(`sip:${encodeURIComponent(user).replace(/%2B/g, '+')}@${this.domain}`);
    if (!uri) throw new DialError('invalid');
    return uri;
  }

  private async holdOthers(except: Line, replaced?: Session): Promise<void> {
    for (const other of this.live()) {
      if (other !== except && other.session !== replaced && other.view.status === 'connected' && !other.view.localHold) {
        await other.setHold(true).catch((error: Error) => this.ports.log('warn', error.message));
      }
    }
  }

  async hold(id: string, on: boolean): Promise<void> {
    const line = this.line(id);
    if (!on) await this.holdOthers(line);
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
    this.recorder.answered(line.view);
    const ok = await line.attachAudio(this.devices);
    if (!ok) this.ports.log('warn', 'speaker device unavailable: playing on the default device');
  }

  private onTerminated(line: Line): void {
    const view = line.view;
    const outcome = finalOutcome(view);
    line.patch({ status: 'ended', endedAt: Date.now(), outcome });
    line.dispose();
    this.recorder.ended(line.view);
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
    this.stopRingingIfIdle();
    setTimeout(() => {
      this.lines = this.lines.filter((candidate) => candidate !== line);
      this.changed();
    }, this.config.endedLingerMs ?? 4000);
  }

  setDnd(on: boolean): void {
    this.dnd = on;
    this.changed();
    if (on) this.checkForward(true);
  }

  /** The Settings choice for DND: takes effect with the next incoming call. */
  setDndForward(action: DndAction, target: string): void {
    this.config.dndAction = action;
    this.config.dndForward = target;
    this.checkForward(false);
  }

  /** Asks the PBX about the forward target (only while registered: the question travels as SIP). */
  private checkForward(again: boolean): void {
    if (this.keeper.view.status !== 'registered') return;
    const target = this.config.dndAction === 'forward' ? forwardTarget(this.config.dndForward ?? '') : undefined;
    void this.forwards.refresh(target === this.user ? undefined : target, again);
  }

  /** New device choice, for the ringer and every running call now; false (and a notice) on a fallback. */
  setDevices(devices: AudioDevicePrefs): Promise<boolean> {
    return this.audio.apply(devices, this.live());
  }

  /** The last device notice for the UI, once. */
  takeNotice(): DeviceNotice | undefined {
    return this.audio.takeNotice();
  }

  private readonly onDeviceChange = (): void => void this.devicesChanged();

  devicesChanged(): Promise<boolean> {
    return this.audio.devicesChanged(this.live());
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
