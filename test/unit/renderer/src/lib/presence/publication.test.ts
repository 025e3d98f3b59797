import { EmitterImpl, TransportState, URI, UserAgent, type Transport } from 'sip.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { storageDocumentMemory } from '../../../../../../renderer/src/lib/presence/document-memory.js';
import { PresenceEngine, type PresencePhone } from '../../../../../../renderer/src/lib/presence/presence-engine.js';
import { Publication } from '../../../../../../renderer/src/lib/presence/publication.js';

/** SIP.js's transport seam with nothing behind it: the test reads what is sent and answers by hand. */
class HandTransport implements Transport {
  static last: HandTransport | undefined;
  readonly protocol = 'WSS';
  readonly stateChange = new EmitterImpl<TransportState>();
  readonly sent: string[] = [];
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;
  state = TransportState.Disconnected;
  constructor() {
    HandTransport.last = this;
  }
  connect(): Promise<void> {
    this.state = TransportState.Connected;
    this.stateChange.emit(this.state);
    this.onConnect?.();
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    this.state = TransportState.Disconnected;
    return Promise.resolve();
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
  isConnected(): boolean {
    return this.state === TransportState.Connected;
  }
  send(message: string): Promise<void> {
    this.sent.push(message);
    return Promise.resolve();
  }
  publishes(): string[] {
    return this.sent.filter((message) => message.startsWith('PUBLISH '));
  }
  /** A final answer to `request` as the PBX would send it (SIP-ETag, Expires). */
  answer(request: string, code: number, headers: string[] = []): void {
    const lines = request.split('\r\n');
    const pick = (name: string) => lines.filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    const response = [
      `SIP/2.0 ${code} ${code === 200 ? 'OK' : 'Conditional Request Failed'}`,
      ...pick('Via'),
      ...pick('From'),
      `${pick('To')[0]};tag=pbx`,
      ...pick('Call-ID'),
      ...pick('CSeq'),
      ...headers,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    this.onMessage!(response);
  }
}

const header = (message: string, name: string) =>
  message
    .split('\r\n')
    .find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    ?.slice(name.length + 1)
    .trim();
const tupleOf = (message: string) => /<tuple id="([^"]+)"/.exec(message)?.[1];
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function fakeStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

const aor = 'sip:max@pbx.example.net';
let ua: UserAgent | undefined;

async function startUa(): Promise<{ ua: UserAgent; transport: HandTransport }> {
  ua = new UserAgent({
    uri: UserAgent.makeURI(aor)!,
    transportConstructor: HandTransport,
    logBuiltinEnabled: false,
  });
  await ua.start();
  return { ua, transport: HandTransport.last! };
}

afterEach(async () => {
  vi.useRealTimers();
  await ua?.stop().catch(() => undefined);
  ua = undefined;
});

describe('presence publication (SIP.js Publisher against a hand-answered PBX)', () => {
  it('a re-registration while the first PUBLISH is unanswered gives up that document and withdraws it once stored', async () => {
    const { ua, transport } = await startUa();
    const publication = new Publication(ua, aor, 300, () => undefined, storageDocumentMemory(fakeStorage()));
    publication.publish('available');
    await settle();
    publication.publish('available', undefined, true);
    await settle();
    const [first, second] = transport.publishes();
    expect(header(first!, 'SIP-If-Match')).toBeUndefined();
    expect(header(second!, 'SIP-If-Match')).toBeUndefined();
    // Two initial PUBLISHes of one tuple id would leave Kamailio showing the older one for good.
    expect(tupleOf(second!)).not.toBe(tupleOf(first!));

    // The PBX stored both after all: the given-up one is withdrawn with its own ETag.
    transport.answer(first!, 200, ['SIP-ETag: e-first', 'Expires: 300']);
    transport.answer(second!, 200, ['SIP-ETag: e-second', 'Expires: 300']);
    await settle();
    const withdrawal = transport.publishes()[2]!;
    expect(header(withdrawal, 'Expires')).toBe('0');
    expect(header(withdrawal, 'SIP-If-Match')).toBe('e-first');

    // The status goes on in the kept document.
    publication.publish('away');
    await settle();
    const change = transport.publishes()[3]!;
    expect(header(change, 'SIP-If-Match')).toBe('e-second');
    expect(tupleOf(change)).toBe(tupleOf(second!));
    expect(change).toContain('<rpid:away/>');
    expect(transport.publishes()).toHaveLength(4);
  });

  it('one PUBLISH at a time: a change while one is unanswered waits for its answer and then carries its ETag', async () => {
    const { ua, transport } = await startUa();
    const publication = new Publication(ua, aor, 300, () => undefined, storageDocumentMemory(fakeStorage()));
    publication.publish('available');
    publication.publish('dnd');
    publication.publish('away');
    await settle();
    expect(transport.publishes()).toHaveLength(1);
    transport.answer(transport.publishes()[0]!, 200, ['SIP-ETag: e1', 'Expires: 300']);
    await settle();
    expect(transport.publishes()).toHaveLength(2);
    expect(header(transport.publishes()[1]!, 'SIP-If-Match')).toBe('e1');
    expect(transport.publishes()[1]).toContain('<rpid:away/>');
  });

  it('a PUBLISH unanswered for 5 s on a stalled link: the status goes out as a new document, the stalled one is withdrawn once stored', async () => {
    const { ua, transport } = await startUa();
    const publication = new Publication(ua, aor, 300, () => undefined, storageDocumentMemory(fakeStorage()));
    publication.publish('available');
    await settle();
    transport.answer(transport.publishes()[0]!, 200, ['SIP-ETag: e1', 'Expires: 300']);
    await settle();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // The link stalls (no RST): "Nicht stören" goes out and is not answered; "Abwesend" waits for it.
    publication.publish('dnd');
    await vi.advanceTimersByTimeAsync(0);
    const stalled = transport.publishes()[1]!;
    expect(header(stalled, 'SIP-If-Match')).toBe('e1');
    publication.publish('away');
    await vi.advanceTimersByTimeAsync(4900);
    expect(transport.publishes()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    const fresh = transport.publishes()[2]!;
    // Not through the stalled publisher: its ETag may be rotated by the time this arrives.
    expect(header(fresh, 'SIP-If-Match')).toBeUndefined();
    expect(tupleOf(fresh)).not.toBe(tupleOf(stalled));
    expect(fresh).toContain('<rpid:away/>');

    // The link recovers: the stalled PUBLISH was stored after all, and is withdrawn with its new ETag.
    transport.answer(stalled, 200, ['SIP-ETag: e2', 'Expires: 300']);
    transport.answer(fresh, 200, ['SIP-ETag: e3', 'Expires: 300']);
    await vi.advanceTimersByTimeAsync(0);
    const withdrawal = transport.publishes()[3]!;
    expect(header(withdrawal, 'Expires')).toBe('0');
    expect(header(withdrawal, 'SIP-If-Match')).toBe('e2');

    // Later changes update the new document only.
    publication.publish('available');
    await vi.advanceTimersByTimeAsync(0);
    const next = transport.publishes()[4]!;
    expect(header(next, 'SIP-If-Match')).toBe('e3');
    expect(transport.publishes()).toHaveLength(5);
  });

  it('removes the document an earlier page left (its ETag kept in storage) and remembers its own until withdrawn', async () => {
    const storage = fakeStorage();
    storageDocumentMemory(storage).remember(aor, 'e-dead', 300);
    const { ua, transport } = await startUa();
    const publication = new Publication(ua, aor, 300, () => undefined, storageDocumentMemory(storage));
    publication.publish('available');
    await settle();
    const [removal, initial] = transport.publishes();
    expect(header(removal!, 'SIP-If-Match')).toBe('e-dead');
    expect(header(removal!, 'Expires')).toBe('0');
    expect(header(initial!, 'SIP-If-Match')).toBeUndefined();
    transport.answer(removal!, 412);
    transport.answer(initial!, 200, ['SIP-ETag: e-live', 'Expires: 300']);
    await settle();
    expect(storageDocumentMemory(storage).recall(aor)).toBe('e-live');

    const withdrawn = publication.withdraw(1000);
    await settle();
    const unpublish = transport.publishes().at(-1)!;
    expect(header(unpublish, 'SIP-If-Match')).toBe('e-live');
    expect(header(unpublish, 'Expires')).toBe('0');
    transport.answer(unpublish, 200, ['SIP-ETag: e-live', 'Expires: 0']);
    await withdrawn;
    expect(storageDocumentMemory(storage).recall(aor)).toBeUndefined();
  });

  it('a withdraw the PBX never answers (page closing on a dead line) keeps the ETag for the next page', async () => {
    const storage = fakeStorage();
    const { ua, transport } = await startUa();
    const publication = new Publication(ua, aor, 300, () => undefined, storageDocumentMemory(storage));
    publication.publish('dnd');
    await settle();
    transport.answer(transport.publishes()[0]!, 200, ['SIP-ETag: e-kept', 'Expires: 300']);
    await settle();
    await publication.withdraw(50);
    expect(header(transport.publishes().at(-1)!, 'Expires')).toBe('0');
    expect(storageDocumentMemory(storage).recall(aor)).toBe('e-kept');
  });

  it('a craftsman’s note set before the registration is published with it, in one document', async () => {
    const { ua, transport } = await startUa();
    const phone: PresencePhone & { registration: { status: string; registeredAt?: number } } = {
      ua,
      registration: { status: 'registering' },
      lines: [],
      observers: new Set(),
      setDnd: () => undefined,
      targetUri: (user) => new URI('sip', user, 'pbx.example.net'),
    };
    const engine = new PresenceEngine(phone, { aor, log: () => undefined, onOwn: () => undefined, onPeer: () => undefined });
    engine.start();
    engine.setChoice('available');
    engine.setNote('Sprechzeiten: Di 8-10');
    await settle();
    expect(transport.publishes()).toEqual([]);
    phone.registration = { status: 'registered', registeredAt: 1 };
    for (const observer of phone.observers) observer();
    await settle();
    expect(transport.publishes()).toHaveLength(1);
    expect(transport.publishes()[0]).toContain('Available; Sprechzeiten: Di 8-10');
  });
});
