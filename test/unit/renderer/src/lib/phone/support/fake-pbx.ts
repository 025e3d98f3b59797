import type { PbxState } from '../../../../../../../protocol/index.js';
import type { PbxHost } from '../../../../../../../renderer/src/lib/phone/bridged-transport.js';

/**
 * An in-memory PBX on the `PbxHost` seam, after SIP.js's own transport fake: each phone's bridged
 * transport talks to a host from `host(user)`, and this hub registers users and passes SIP messages
 * between them untouched — requests by the Request-URI user (an address of record or a contact),
 * responses back to whoever sent the request. No Kamailio, no WebSocket, no Chromium.
 */
export class FakePbx {
  /** Every message any phone sent, in order (`from: first line`). */
  readonly trace: string[] = [];
  /** Every request as sent, whole (headers a test checks, e.g. P-Preferred-Identity). */
  readonly requests: string[] = [];
  /** Answers the registrar gives to REGISTER refreshes instead of 200 (a lapse), consumed one by one. */
  readonly registerRefusals: number[] = [];
  /** The Expires the registrar grants. */
  expires = 300;
  private readonly hosts = new Map<string, FakeHost>();
  private readonly registered = new Map<string, FakeHost>();
  private readonly contacts = new Map<string, FakeHost>();
  private readonly pending = new Map<string, FakeHost>();

  constructor(readonly domain = 'pbx.test') {}

  host(user: string): FakeHost {
    const host = new FakeHost(user, this);
    this.hosts.set(user, host);
    return host;
  }

  isRegistered(user: string): boolean {
    return this.registered.has(user);
  }

  /** The connection of this phone drops, as when the PBX restarts: its registration goes with it. */
  drop(user: string): void {
    const host = this.hosts.get(user);
    if (!host) throw new Error(`no phone ${user}`);
    this.forget(host);
    host.lose();
  }

  /** Final responses this phone received or sent for a method, as `code` numbers. */
  responses(method: string): number[] {
    return this.trace
      .filter((line) => line.includes(` SIP/2.0 `) && line.endsWith(` ${method}`))
      .map((line) => Number(/SIP\/2\.0 (\d{3})/.exec(line)![1]));
  }

  forget(host: FakeHost): void {
    for (const map of [this.registered, this.contacts]) {
      for (const [key, value] of map) if (value === host) map.delete(key);
    }
  }

  route(from: FakeHost, message: string): void {
    const first = message.slice(0, message.indexOf('\r\n'));
    const cseq = header(message, 'CSeq') ?? '';
    const method = cseq.split(/\s+/)[1] ?? '';
    const branch = /branch=([^;\s,]+)/i.exec(header(message, 'Via') ?? '')?.[1] ?? '';
    this.trace.push(`${from.user}: ${first}${first.startsWith('SIP/2.0') ? ` ${method}` : ''}`);
    if (first.startsWith('SIP/2.0')) {
      this.pending.get(`${branch} ${method}`)?.deliver(message);
      return;
    }
    this.requests.push(message);
    const [requestMethod, ruri] = first.split(' ') as [string, string];
    const contact = /<sips?:([^@>;]+)@/i.exec(header(message, 'Contact') ?? '')?.[1];
    if (contact) this.contacts.set(contact, from);
    if (requestMethod === 'REGISTER') return this.register(from, message);
    const user = /^sips?:([^@;>]+)@/i.exec(ruri)?.[1];
    if (requestMethod !== 'ACK') this.pending.set(`${branch} ${requestMethod}`, from);
    const target = user ? (this.contacts.get(user) ?? this.registered.get(decodeURIComponent(user))) : undefined;
    if (target) return target.deliver(message);
    if (requestMethod === 'ACK') return;
    // OPTIONS to the domain is the keep-alive; anything for a user not registered is 480.
    from.deliver(reply(message, user ? 480 : 200, user ? 'Temporarily Unavailable' : 'OK'));
  }

  private register(from: FakeHost, message: string): void {
    const user = /<?sips?:([^@>;]+)@/i.exec(header(message, 'To') ?? '')?.[1] ?? '';
    const wanted = Number(/expires=(\d+)/i.exec(header(message, 'Contact') ?? '')?.[1] ?? header(message, 'Expires') ?? 300);
    const refreshing = this.registered.get(user) === from;
    const refusal = refreshing && wanted > 0 ? this.registerRefusals.shift() : undefined;
    if (refusal !== undefined) {
      this.registered.delete(user);
      from.deliver(reply(message, refusal, 'Forbidden'));
      return;
    }
    if (wanted === 0) this.registered.delete(user);
    else this.registered.set(user, from);
    const contact = header(message, 'Contact')?.replace(/;expires=\d+/i, '') ?? '';
    const expires = Math.min(wanted, this.expires);
    from.deliver(reply(message, 200, 'OK', [`Contact: ${contact};expires=${expires}`, `Expires: ${expires}`]));
  }
}

/** One phone's end of the hub: what `BridgedTransport` sees of the main process's PBX connection. */
export class FakeHost implements PbxHost {
  private current: PbxState = { state: 'disconnected', attempt: 0, connections: 0 };
  private readonly messageListeners = new Set<(message: string) => void>();
  private readonly stateListeners = new Set<(state: PbxState) => void>();
  /** Whether connect() reaches the PBX (false: it stays connecting, as while the PBX is down). */
  reachable = true;

  constructor(
    readonly user: string,
    private readonly pbx: FakePbx,
  ) {}

  connect(): Promise<PbxState> {
    if (this.current.state !== 'connected' && this.reachable) {
      this.setState({ state: 'connected', attempt: 0, connections: this.current.connections + 1 });
    }
    return Promise.resolve(this.current);
  }

  state(): Promise<PbxState> {
    return Promise.resolve(this.current);
  }

  send(message: string): Promise<void> {
    if (this.current.state !== 'connected') return Promise.reject(new Error('not connected'));
    // A network hop: never inside the sender's own call stack.
    setTimeout(() => this.pbx.route(this, message), 0);
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    this.pbx.forget(this);
    this.setState({ state: 'disconnected', attempt: 0, connections: this.current.connections });
    return Promise.resolve();
  }

  onMessage(listener: (message: string) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onState(listener: (state: PbxState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  deliver(message: string): void {
    if (this.current.state !== 'connected') return;
    setTimeout(() => {
      for (const listener of this.messageListeners) listener(message);
    }, 0);
  }

  lose(): void {
    this.setState({
      state: 'connecting',
      attempt: 1,
      connections: this.current.connections,
      error: { code: 'connection_lost', message: 'PBX restarted' },
    });
  }

  private setState(state: PbxState): void {
    this.current = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

function header(message: string, name: string): string | undefined {
  const head = message.slice(0, message.indexOf('\r\n\r\n'));
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim();
}

/** A response the PBX itself gives (registrar, keep-alive, user not registered). */
function reply(request: string, code: number, reason: string, extra: string[] = []): string {
  const head = request.slice(0, request.indexOf('\r\n\r\n')).split('\r\n').slice(1);
  const copied = head.filter((line) => /^(Via|From|Call-ID|CSeq):/i.test(line));
  const to = head.find((line) => /^To:/i.test(line)) ?? 'To: <sip:unknown@pbx.test>';
  return [
    `SIP/2.0 ${code} ${reason}`,
    ...copied,
    /;tag=/i.test(to) ? to : `${to};tag=pbx${Math.random().toString(36).slice(2, 8)}`,
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
