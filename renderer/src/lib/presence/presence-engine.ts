import type { URI, UserAgent } from 'sip.js';
import type { LineView } from '../phone/types.js';
import { noDocumentMemory, type DocumentMemory } from './document-memory.js';
import { Publication } from './publication.js';
import { TeamWatch } from './team-watch.js';
import { effectiveStatus, type OwnChoice, type PeerPresence, type Published } from './types.js';

/** What presence needs of the phone engine (PhoneEngine satisfies it). */
export interface PresencePhone {
  readonly ua: UserAgent;
  readonly registration: { status: string; registeredAt?: number | undefined };
  readonly lines: ReadonlyArray<{ view: CallFacts }>;
  readonly observers: Set<() => void>;
  setDnd(on: boolean): void;
  targetUri(user: string): URI;
}

/**
 * How long a published status stands without a refresh (refreshed at 90 %). A page or app that dies
 * without its withdraw shows as present to colleagues until then, plus up to the PBX's clean period
 * (15 s in the reference config): 180 s rather than 300 halves that, for one PUBLISH every 162 s.
 */
export const PUBLISH_EXPIRES = 180;
/** "Nacharbeit" ends by itself after this long without a saved note. */
export const WRAP_UP_MAX_MS = 15 * 60_000;

export interface PresenceConfig {
  aor: string;
  /** PUBLISH Expires (PUBLISH_EXPIRES); Kamailio's presence module allows up to 3600 s by default. */
  publishExpires?: number;
  subscribeExpires?: number;
  /** Where the page keeps its document's ETag for the next page (default: nowhere). */
  memory?: DocumentMemory;
  log(level: 'info' | 'warn', message: string): void;
  /** The published status changed (tray icon, own status line). */
  onOwn(status: Published): void;
  /** A colleague's state changed. */
  onPeer(user: string, state: PeerPresence): void;
  /** How long "Nacharbeit" lasts at most without a saved note (WRAP_UP_MAX_MS). */
  wrapUpMaxMs?: number;
  /** Whether this desk does after-call work at all (the office's people: yes; a craftsman: no). Default yes. */
  afterCallWork?: () => boolean;
}

/** What presence reads of a line. */
type CallFacts = Pick<LineView, 'id' | 'status' | 'caller' | 'outcome' | 'transfer' | 'direction' | 'remoteUser'>;

/**
 * "Nacharbeit" is billed work on a firm's customer call: a call with a colleague (either way, the
 * consultation included) and a call she handed on to someone else leave none.
 */
export function startsAfterCallWork(view: CallFacts): boolean {
  if (view.caller === 'colleague' || view.outcome === 'forwarded' || view.transfer?.state === 'done') return false;
  return view.direction === 'in' || /^[+]?\d+$/.test(view.remoteUser);
}

/**
 * Own presence and the team's: decides the published status from the user's choice, active calls
 * and idle time, keeps DND on the phone (486 for incoming calls), publishes on every change and
 * restores publication and subscriptions after every (re-)registration.
 */
export class PresenceEngine {
  private choice: OwnChoice = 'available';
  private idle = false;
  private inCall = false;
  /** "Nacharbeit": an answered call ended and its note is not saved yet (docs/presence.md). */
  private wrapUp = false;
  private wrapUpTimer: ReturnType<typeof setTimeout> | undefined;
  /** Lines seen connected: their end starts the after-call work. */
  private readonly talked = new Set<string>();
  private note: string | undefined;
  private registeredAt: number | undefined;
  private published: Published | undefined;
  private readonly publication: Publication;
  readonly team: TeamWatch;
  private readonly observer = () => this.onPhoneChanged();

  constructor(
    private readonly phone: PresencePhone,
    private readonly config: PresenceConfig,
  ) {
    const log = (level: 'info' | 'warn', message: string) => config.log(level, message);
    this.publication = new Publication(
      phone.ua,
      config.aor,
      config.publishExpires ?? PUBLISH_EXPIRES,
      log,
      config.memory ?? noDocumentMemory,
    );
    this.team = new TeamWatch(
      phone.ua,
      (user) => phone.targetUri(user),
      config.subscribeExpires ?? 300,
      (user, state) => config.onPeer(user, state),
      log,
    );
  }

  get status(): Published {
    return effectiveStatus(this.choice, this.inCall, this.idle, this.wrapUp);
  }

  get own(): OwnChoice {
    return this.choice;
  }

  start(): void {
    this.phone.observers.add(this.observer);
    this.onPhoneChanged();
  }

  setChoice(choice: OwnChoice): void {
    this.choice = choice;
    this.phone.setDnd(choice === 'dnd');
    this.update();
  }

  setIdle(idle: boolean): void {
    this.idle = idle;
    this.update();
  }

  /** Free text after the status note (e.g. a craftsman's consultation hours). */
  setNote(note: string | undefined): void {
    this.note = note;
    // Before the first registration onPhoneChanged publishes (with the note); a PUBLISH now would
    // race that one and could leave a second document at the PBX.
    if (this.published && this.registeredAt !== undefined) this.publication.publish(this.published, note);
  }

  /** The note of the call is saved (or she ends the after-call work herself): back to her choice. */
  endWrapUp(): void {
    clearTimeout(this.wrapUpTimer);
    if (!this.wrapUp) return;
    this.wrapUp = false;
    this.update();
  }

  private startWrapUp(): void {
    clearTimeout(this.wrapUpTimer);
    this.wrapUp = true;
    // A note never saved must not leave her "in Nacharbeit" for the rest of the day.
    this.wrapUpTimer = setTimeout(() => this.endWrapUp(), this.config.wrapUpMaxMs ?? WRAP_UP_MAX_MS);
  }

  setPeople(users: readonly string[]): void {
    this.team.setPeople(users);
  }

  /** Quit/unload: withdraw our publication and end the subscriptions before the UA stops. */
  async stop(): Promise<void> {
    this.phone.observers.delete(this.observer);
    clearTimeout(this.wrapUpTimer);
    await Promise.all([this.publication.withdraw(), this.team.stop()]);
    this.published = undefined;
  }

  private onPhoneChanged(): void {
    const inCall = this.phone.lines.some((line) => line.view.status === 'connected');
    let wrapUpBegins = false;
    for (const { view } of this.phone.lines) {
      if (view.status === 'connected') this.talked.add(view.id);
      else if (view.status === 'ended' && this.talked.delete(view.id) && startsAfterCallWork(view))
        wrapUpBegins = this.config.afterCallWork?.() ?? true;
    }
    if (wrapUpBegins) {
      this.startWrapUp();
      if (!inCall) {
        this.inCall = false;
        this.update();
      }
    }
    const registration = this.phone.registration;
    if (registration.status === 'registered' && registration.registeredAt !== this.registeredAt) {
      this.registeredAt = registration.registeredAt;
      this.config.log('info', 'registered: publishing presence and restoring subscriptions');
      this.inCall = inCall;
      this.published = this.status;
      this.publication.publish(this.published, this.note, true);
      this.config.onOwn(this.published);
      this.team.restore();
      return;
    }
    if (inCall !== this.inCall) {
      this.inCall = inCall;
      this.update();
    }
  }

  private update(): void {
    const next = this.status;
    if (next === this.published) return;
    this.published = next;
    this.config.onOwn(next);
    // Before the first registration the PUBLISH would go nowhere; onPhoneChanged publishes then.
    if (this.registeredAt !== undefined) this.publication.publish(next, this.note);
  }
}
