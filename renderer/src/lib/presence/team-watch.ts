import { Subscriber, SubscriptionState, type Notification, type URI, type UserAgent } from 'sip.js';
import { backoffDelay, type Backoff } from '../../../../protocol/backoff.js';
import { dialogActivity, parsePidf, readDialogInfo } from './pidf.js';
import { peerState, type DialogActivity, type PeerPresence } from './types.js';

/** The two event packages watched per colleague: the published status and the PBX's call state. */
type EventPackage = 'presence' | 'dialog';
const ACCEPT: Record<EventPackage, string> = {
  presence: 'application/pidf+xml',
  dialog: 'application/dialog-info+xml',
};
const PACKAGES: readonly EventPackage[] = ['presence', 'dialog'];

interface Watch {
  subscriber: Subscriber;
  retry: ReturnType<typeof setTimeout> | undefined;
  /** A NOTIFY arrived: the PBX accepted this subscription at least once. */
  notified: boolean;
  /** Consecutive subscriptions refused without any NOTIFY (403, 489 Bad Event, …). */
  refusals: number;
}

interface Peer {
  published: PeerPresence;
  dialog: DialogActivity;
  /** Dialog ids seen terminated (newest last, bounded): stale copies of them are ignored. */
  ended: Set<string>;
  shown: PeerPresence;
  watches: Partial<Record<EventPackage, Watch>>;
}

/** Pause before subscribing again after the PBX ended a working subscription. */
const RETRY_MS = 2000;
/**
 * Refused subscriptions (a PBX without dialog-info, a colleague we may not watch) back off from 30 s
 * to 5 min; every retry also waits up to 1 s more, so a team's subscriptions do not go out in one burst.
 */
const REFUSED_BACKOFF: Backoff = { baseMs: 30_000, maxMs: 300_000, jitter: [1, 1] };
const ENDED_KEPT = 64;

/**
 * Per colleague one SUBSCRIBE to `presence` (PIDF) and one to `dialog` (RFC 4235 dialog-info:
 * ringing and calls the PBX sees); every NOTIFY updates the map. SIP.js refreshes each subscription
 * before it expires. When the PBX ends one (restart: the refresh gets 481; or a NOTIFY with
 * `terminated`) we subscribe again after a short pause, a refused one only after a back-off; after
 * every re-registration `restore()` replaces them all, because a restarted Kamailio has forgotten
 * every dialog.
 */
export class TeamWatch {
  readonly states = new Map<string, PeerPresence>();
  private readonly peers = new Map<string, Peer>();
  private live = false;

  constructor(
    private readonly ua: UserAgent,
    private readonly uriFor: (user: string) => URI,
    private readonly expires: number,
    private readonly onChange: (user: string, state: PeerPresence) => void,
    private readonly log: (level: 'info' | 'warn', message: string) => void,
  ) {}

  /** The people to watch; subscriptions of people no longer listed end, new ones start (when live). */
  setPeople(users: readonly string[]): void {
    const wanted = new Set(users);
    for (const user of [...this.peers.keys()]) {
      if (wanted.has(user)) continue;
      void this.dropAll(user);
      this.peers.delete(user);
      this.states.delete(user);
    }
    for (const user of wanted) {
      if (!this.peers.has(user)) {
        this.peers.set(user, { published: 'unknown', dialog: undefined, ended: new Set(), shown: 'unknown', watches: {} });
        this.states.set(user, 'unknown');
      }
      if (this.live) for (const pkg of PACKAGES) if (!this.peers.get(user)!.watches[pkg]) this.watch(user, pkg);
    }
  }

  /** Registered (again): fresh subscriptions for everyone. */
  restore(): void {
    this.live = true;
    for (const user of this.peers.keys()) {
      void this.dropAll(user);
      for (const pkg of PACKAGES) this.watch(user, pkg);
    }
  }

  /** Unsubscribes everything (bounded: SIP.js waits for the final NOTIFY otherwise). */
  async stop(timeoutMs = 1500): Promise<void> {
    this.live = false;
    await Promise.race([
      Promise.all([...this.peers.keys()].map((user) => this.dropAll(user))),
      new Promise((resolve) => setTimeout(resolve, timeoutMs)),
    ]);
  }

  private watch(user: string, pkg: EventPackage, refusals = 0): void {
    const peer = this.peers.get(user);
    if (!peer) return;
    const subscriber = new Subscriber(this.ua, this.uriFor(user), pkg, {
      expires: this.expires,
      extraHeaders: [`Accept: ${ACCEPT[pkg]}`],
    });
    const watch: Watch = { subscriber, retry: undefined, notified: false, refusals };
    peer.watches[pkg] = watch;
    const current = () => this.peers.get(user)?.watches[pkg] === watch;
    subscriber.delegate = {
      onNotify: (notification: Notification) => {
        void notification.accept().catch(() => undefined);
        if (!current()) return;
        watch.notified = true;
        watch.refusals = 0;
        const body = notification.request.body;
        if (pkg === 'presence') peer.published = parsePidf(body);
        else peer.dialog = this.readDialogs(peer, body);
        this.show(user, peer);
      },
    };
    subscriber.stateChange.addListener((state) => {
      if (state !== SubscriptionState.Terminated || !current() || !this.live) return;
      // Ended by the PBX (or a failed refresh): we no longer know, and try again.
      if (pkg === 'presence') peer.published = 'unknown';
      else peer.dialog = undefined;
      this.show(user, peer);
      const refused = watch.notified ? 0 : watch.refusals + 1;
      const delay = refused === 0 ? RETRY_MS : backoffDelay(refused, REFUSED_BACKOFF);
      if (refused === 1) this.log('info', `${pkg} subscription to ${user} refused; next try in ${delay / 1000} s`);
      watch.retry = setTimeout(
        () => {
          if (current() && this.live) this.watch(user, pkg, refused);
        },
        delay + Math.random() * 1000,
      );
    });
    subscriber.subscribe().catch((error: Error) => this.log('warn', `SUBSCRIBE ${pkg} to ${user} not sent: ${error.message}`));
  }

  private dropAll(user: string): Promise<void> {
    const peer = this.peers.get(user);
    if (!peer) return Promise.resolve();
    const watches = PACKAGES.map((pkg) => peer.watches[pkg]).filter((watch): watch is Watch => watch !== undefined);
    peer.watches = {};
    for (const watch of watches) if (watch.retry) clearTimeout(watch.retry);
    return Promise.all(watches.map((watch) => watch.subscriber.dispose().catch(() => undefined))).then(() => undefined);
  }

  private readDialogs(peer: Peer, body: string | undefined): DialogActivity {
    const entries = readDialogInfo(body);
    for (const { id, state } of entries) {
      if (state !== 'terminated' || id === undefined || peer.ended.has(id)) continue;
      peer.ended.add(id);
      if (peer.ended.size > ENDED_KEPT) peer.ended.delete(peer.ended.values().next().value!);
    }
    return dialogActivity(entries, peer.ended);
  }

  private show(user: string, peer: Peer): void {
    const state = peerState(peer.published, peer.dialog);
    if (peer.shown === state || this.peers.get(user) !== peer) return;
    peer.shown = state;
    this.states.set(user, state);
    this.onChange(user, state);
  }
}
