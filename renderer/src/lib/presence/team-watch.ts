import { Subscriber, SubscriptionState, type Notification, type URI, type UserAgent } from 'sip.js';
import { parsePidf } from './pidf.js';
import type { PeerPresence } from './types.js';

interface Watch {
  subscriber: Subscriber;
  retry: ReturnType<typeof setTimeout> | undefined;
}

/**
 * One SUBSCRIBE (event `presence`) per colleague; every NOTIFY updates the map. SIP.js refreshes
 * each subscription before it expires. When the PBX ends one (restart: the refresh gets 481; or a
 * NOTIFY with `terminated`) we subscribe again after a short pause; after every re-registration
 * `restore()` replaces them all, because a restarted Kamailio has forgotten every dialog.
 */
export class TeamWatch {
  readonly states = new Map<string, PeerPresence>();
  private readonly watches = new Map<string, Watch>();
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
    for (const user of [...this.watches.keys()]) if (!wanted.has(user)) void this.drop(user);
    for (const user of [...this.states.keys()]) if (!wanted.has(user)) this.states.delete(user);
    for (const user of wanted) {
      if (!this.states.has(user)) this.states.set(user, 'unknown');
      if (this.live && !this.watches.has(user)) this.watch(user);
    }
  }

  /** Registered (again): fresh subscriptions for everyone. */
  restore(): void {
    this.live = true;
    for (const user of [...this.watches.keys()]) void this.drop(user);
    for (const user of this.states.keys()) this.watch(user);
  }

  /** Unsubscribes everything (bounded: SIP.js waits for the final NOTIFY otherwise). */
  async stop(timeoutMs = 1500): Promise<void> {
    this.live = false;
    const users = [...this.watches.keys()];
    await Promise.race([
      Promise.all(users.map((user) => this.drop(user))),
      new Promise((resolve) => setTimeout(resolve, timeoutMs)),
    ]);
  }

  private watch(user: string): void {
    const subscriber = new Subscriber(this.ua, this.uriFor(user), 'presence', {
      expires: this.expires,
      extraHeaders: ['Accept: application/pidf+xml'],
    });
    const watch: Watch = { subscriber, retry: undefined };
    this.watches.set(user, watch);
    subscriber.delegate = {
      onNotify: (notification: Notification) => {
        void notification.accept().catch(() => undefined);
        if (this.watches.get(user) !== watch) return;
        this.set(user, parsePidf(notification.request.body));
      },
    };
    subscriber.stateChange.addListener((state) => {
      if (state !== SubscriptionState.Terminated || this.watches.get(user) !== watch || !this.live) return;
      // Ended by the PBX (or a failed refresh): we no longer know, and try again.
      this.set(user, 'unknown');
      watch.retry = setTimeout(
        () => {
          if (this.watches.get(user) === watch && this.live) this.watch(user);
        },
        2000 + Math.random() * 1000,
      );
    });
    subscriber.subscribe().catch((error: Error) => this.log('warn', `SUBSCRIBE to ${user} not sent: ${error.message}`));
  }

  private drop(user: string): Promise<void> {
    const watch = this.watches.get(user);
    this.watches.delete(user);
    if (!watch) return Promise.resolve();
    if (watch.retry) clearTimeout(watch.retry);
    return watch.subscriber.dispose().catch(() => undefined);
  }

  private set(user: string, state: PeerPresence): void {
    if (!this.states.has(user) || this.states.get(user) === state) return;
    this.states.set(user, state);
    this.onChange(user, state);
  }
}
