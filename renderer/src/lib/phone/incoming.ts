import { Invitation, SessionState, type Session } from 'sip.js';
import type { AudioRouting } from './audio-routing.js';
import { serverIso } from '../clock.js';
import { sleep } from './timers.js';
import { ASSERTED_CALLER, incomingCaller, type IncomingCaller } from './caller-identity.js';
import { dndDecision, forwardTarget, type DndAction, type DndDecision } from './dnd.js';
import { FORWARDED_BY, type ForwardCheck } from './forward-check.js';
import type { PhoneContext } from './context.js';
import { dialledNumber } from './dialled-number.js';
import { consultAbout, TRANSFER_DIALLED, transferDialled, TRANSFERRED_BY, transferredBy } from './consult-headers.js';
import type { Line } from './line.js';
import { routeOf } from './route-headers.js';
import type { PhoneEngineConfig } from './types.js';

/** The parts of the engine the incoming side uses beyond the shared context. */
export interface IncomingDeps {
  /** The PBX's verdict on the DND forward target; asked only while registered (the question is SIP). */
  forwards: ForwardCheck;
  registered(): boolean;
  audio: Pick<AudioRouting, 'ring' | 'ringer'>;
}

/**
 * A call reaching us: refused for DND (486, or 302 to the forward target the PBX follows) or full
 * lines, else on a line that rings once the caller is looked up, until it is answered or declined.
 */
export class IncomingCalls {
  dnd = false;
  private dndAction: DndAction;
  private dndForward: string;

  constructor(
    private readonly config: Pick<PhoneEngineConfig, 'dndAction' | 'dndForward' | 'lookupTimeoutMs'>,
    private readonly phone: PhoneContext,
    private readonly deps: IncomingDeps,
  ) {
    this.dndAction = config.dndAction ?? 'reject';
    this.dndForward = config.dndForward ?? '';
  }

  /** An incoming INVITE: look up caller and firm first, then ring (or refuse for DND / full lines). */
  async onInvite(invitation: Invitation): Promise<void> {
    const { phone } = this;
    const caller = incomingCaller(invitation.remoteIdentity.uri.user, invitation.request.getHeader(ASSERTED_CALLER));
    const remoteUser = caller.remoteUser;
    const dialled = dialledNumber(invitation, phone.user);
    let decision = this.decide(invitation);
    // Only a forward waits (for the PBX's word on a colleague): a call that rings is not held up.
    if (decision.kind === 'forward') decision = await this.forwardNow(decision);
    const slot = phone.lines.freeSlot();
    if (decision.kind !== 'ring' || slot === undefined) {
      const forward = decision.kind === 'forward' ? decision : undefined;
      return this.refuse(invitation, forward, slot, caller, dialled);
    }
    const replaced = invitation.replacee ? phone.lines.bySession(invitation.replacee) : undefined;
    const header = (name: string) => invitation.request.getHeader(name);
    const by = transferredBy(header(TRANSFERRED_BY));
    // The consultation this transfer concludes: the colleague who transfers told us about this caller.
    const consult = by && !replaced ? this.consultFor(by, remoteUser) : undefined;
    const handedFor = by ? transferDialled(header(TRANSFER_DIALLED)) : undefined;
    const firmNumber = dialled ?? consult?.view.consultAbout?.dialled ?? handedFor;
    const line = phone.lines.open(invitation, slot, 'in', remoteUser, {
      dialled: firmNumber,
      remoteName: caller.remoteName,
      caller: caller.caller,
      viaTransfer: replaced !== undefined || by !== undefined,
      consultAbout: consultAbout(header, caller.caller),
      transferredBy: by,
      route: routeOf(invitation.request),
    });
    const lookup = phone.ports.lookupCaller(remoteUser, firmNumber).catch((error: unknown) => {
      phone.ports.log('warn', `caller lookup failed: ${String(error)}`);
      return null;
    });
    // Queued at once, so a caller who hangs up during the lookup still leaves a missed call.
    phone.recorder.begin(line.view, (id) => line.patch({ recordId: id }), lookup);
    // The colleague's consultation call we had is a leg of the customer call that replaces it.
    if (replaced) phone.recorder.link(replaced.view.id, line.view.id);
    const first = await Promise.race([lookup, sleep(this.config.lookupTimeoutMs ?? 400).then(() => undefined)]);
    if (first !== undefined) line.patch({ lookup: first });
    else void lookup.then((late) => line.view.status !== 'ended' && line.patch({ lookup: late }));
    if (line.view.status === 'ended') return;
    if (replaced) {
      // Attended transfer to us: the colleague already talked to us on the replaced call.
      line.patch({ status: 'ringing' });
      await this.answer(line.view.id);
      return;
    }
    if (consult?.established) {
      // The same hand-over from a caller whose phone drops the Replaces (an outside caller's): the
      // PBX names the colleague we are consulting with as the transferor, so this call takes the
      // consultation's place — answered at once, and the consultation ends once it is up.
      line.patch({ status: 'ringing' });
      this.replaceOnceUp(line, consult);
      await this.answer(line.view.id, consult.session);
      return;
    }
    line.patch({ status: 'ringing' });
    void this.deps.audio.ring(phone.lines.anyConnected(line));
    const firm = line.view.lookup?.tenant?.name;
    const who = line.view.lookup?.contact?.name ?? line.view.remoteName ?? remoteUser;
    phone.ports.notify({
      id: line.view.id,
      kind: 'incoming',
      title: phone.ports.text('incomingTitle', { firm: firm ?? '', who }),
      body: phone.ports.text('incomingBody', { who, number: remoteUser }),
    });
  }

  /** What DND makes of this call: ring, 486, or a 302 to the forward target. */
  private decide(invitation: Invitation): DndDecision {
    const decision = dndDecision({
      dnd: this.dnd,
      action: this.dndAction,
      target: this.dndForward,
      self: this.phone.user,
      domain: this.phone.domain,
    });
    if (decision.kind !== 'forward') return decision;
    // The PBX follows one forward per call and says so on the forwarded INVITE; a second forward
    // would reach the caller as 486 anyway, so answer that ourselves and record it as busy.
    const forwardedBy = invitation.request.getHeader(FORWARDED_BY);
    if (!forwardedBy) return decision;
    this.notForwarded(decision.target, `the call was forwarded already (by ${forwardedBy.slice(0, 64)})`);
    return { kind: 'reject' };
  }

  /**
   * A target the PBX refuses — for good, or a colleague not registered at this moment (asked now, at
   * most CALL_CHECK_MS) — would reach the caller as 486/480 after our 302; answer 486 ourselves instead,
   * so the row says busy, as the caller heard.
   */
  private async forwardNow(decision: Extract<DndDecision, { kind: 'forward' }>): Promise<DndDecision> {
    const verdict = await this.deps.forwards.atCall(decision.target, decision.colleague);
    if (verdict.forward) return decision;
    this.notForwarded(decision.target, verdict.why);
    return { kind: 'reject' };
  }

  private notForwarded(target: string, why: string): void {
    this.phone.ports.log('info', `DND forward to ${target} not attempted: ${why}; answering 486`);
  }

  /** 486 or 302 without a line ringing; the history row still says who called and what became of it. */
  private async refuse(
    invitation: Invitation,
    forward: { target: string; uri: string } | undefined,
    slot: number | undefined,
    caller: IncomingCaller,
    dialled: string | undefined,
  ): Promise<void> {
    const { phone } = this;
    const { remoteUser } = caller;
    const code = forward ? 302 : 486;
    // SIP.js 0.21 sends a 3xx through reject(); the PBX follows it (docs/pbx.md), browsers would not.
    const headers = forward ? [`Contact: <${forward.uri}>`] : [];
    // The caller may have hung up while the PBX was asked about the forward target.
    const gone = invitation.state === SessionState.Terminated;
    const outcome = gone ? 'missed' : forward ? 'forwarded' : 'busy';
    const created = phone.lines.freshView(slot ?? 0, 'in', remoteUser, {
      dialled,
      status: 'ended',
      outcome,
      endCode: gone ? undefined : code,
      remoteName: caller.remoteName,
      caller: caller.caller,
    });
    const view = { ...created, endedAt: created.startedAt };
    // The history row is queued before the answer goes out, so whoever sees the 486/302 and then
    // waits for the recorder to settle finds the finished row, never a half-written one.
    phone.recorder.begin(view, () => undefined, phone.ports.lookupCaller(remoteUser, dialled));
    phone.recorder.update(view.id, { ended_at: serverIso(view.endedAt), outcome });
    if (!gone) await invitation.reject({ statusCode: code, extraHeaders: headers }).catch(() => undefined);
    const why = gone ? 'gone before the answer' : forward ? `forwarded to ${forward.target}` : 'refused with 486';
    phone.ports.log('info', `incoming call from ${remoteUser} ${why} (${this.dnd ? 'do not disturb' : 'all lines busy'})`);
    phone.changed();
  }

  /** The live consultation call from `colleague` about `caller`, if any (the transfer it leads to). */
  private consultFor(colleague: string, caller: string): Line | undefined {
    return this.phone.lines
      .live()
      .find(
        (line) =>
          line.view.caller === 'colleague' && line.view.remoteUser === colleague && line.view.consultAbout?.caller === caller,
      );
  }

  /** Ends the consultation once the transferred call that replaces it is up. */
  private replaceOnceUp(line: Line, consult: Line): void {
    line.session.stateChange.addListener((state) => {
      if (state !== SessionState.Established || !consult.established) return;
      void consult.session.bye().catch(() => undefined);
    });
  }

  /** `keep`: a call this one replaces, which ends on its own and is not put on hold first. */
  async answer(id: string, keep?: Session): Promise<void> {
    const { phone } = this;
    const line = phone.lines.get(id);
    if (!(line.session instanceof Invitation) || line.view.status !== 'ringing') return;
    // The call an attended transfer replaces ends on its own: holding it first only adds a re-INVITE.
    await phone.lines.holdOthers(line, keep ?? line.session.replacee);
    phone.ports.closeNotification(id);
    line.patch({ status: 'dialing' });
    this.stopRingingIfIdle();
    await line.session.accept({ sessionDescriptionHandlerOptions: phone.sdhOptions() });
  }

  /** Decline (603) or busy (486) a ringing call. */
  async reject(id: string, statusCode: 486 | 603 = 603): Promise<void> {
    const line = this.phone.lines.get(id);
    if (!(line.session instanceof Invitation) || line.session.state !== SessionState.Initial) return;
    line.patch({ outcome: statusCode === 486 ? 'busy' : 'rejected', endCode: statusCode });
    await line.session.reject({ statusCode });
  }

  stopRingingIfIdle(): void {
    if (!this.phone.lines.live().some((line) => line.view.status === 'ringing')) this.deps.audio.ringer.stop();
  }

  /**
   * The store learnt firms or contacts (the first sync pull after a fresh install, a contact created
   * while the caller waits): calls still up without a full match look again, so the card fills in.
   * Dialled calls too: the number typed may be a contact's only now.
   */
  refreshLookups(): void {
    const { phone } = this;
    for (const line of phone.lines.live()) {
      const known = line.view.lookup;
      if (known?.tenant && known.contact) continue;
      void phone.ports
        .lookupCaller(line.view.remoteUser, line.view.direction === 'in' ? line.view.dialled : undefined)
        .then((fresh) => {
          if (!fresh || line.view.status === 'ended') return;
          // The row learns the caller too (its firm stays: see CallRecorder.begin).
          if (fresh.contact && fresh.contact.id !== known?.contact?.id)
            phone.recorder.update(line.view.id, { contact_id: fresh.contact.id });
          line.patch({ lookup: fresh });
        })
        .catch(() => undefined);
    }
  }

  setDnd(on: boolean): void {
    this.dnd = on;
    this.phone.changed();
    if (on) this.checkForward(true);
  }

  /** The Settings choice for DND: takes effect with the next incoming call. */
  setDndForward(action: DndAction, target: string): void {
    this.dndAction = action;
    this.dndForward = target;
    this.checkForward(false);
  }

  /** Asks the PBX about the forward target (only while registered: the question travels as SIP). */
  checkForward(again: boolean): void {
    if (!this.deps.registered()) return;
    const target = this.dndAction === 'forward' ? forwardTarget(this.dndForward) : undefined;
    void this.deps.forwards.refresh(target === this.phone.user ? undefined : target, again);
  }
}
