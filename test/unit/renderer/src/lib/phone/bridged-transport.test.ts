import { beforeAll, describe, expect, it } from 'vitest';
import type { PbxState } from '../../../../../../protocol/index.js';

// Renderer code is outside the tools project, so it is loaded by a computed path and typed here.
interface PbxHost {
  connect(): Promise<PbxState>;
  state(): Promise<PbxState>;
  send(message: string): Promise<void>;
  disconnect(): Promise<void>;
  onMessage(listener: (message: string) => void): () => void;
  onState(listener: (state: PbxState) => void): () => void;
}
interface Transport {
  readonly state: string;
  onMessage: ((message: string) => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  connect(): Promise<void>;
  send(message: string): Promise<void>;
  isConnected(): boolean;
  dispose(): Promise<void>;
}
type TransportClass = new (logger: never, options: { host: PbxHost }) => Transport;

// The transport's seam is the host API; a scripted host stands in for it here. The real host path is
// covered by test/integration/pbx/bridged-transport.test.ts.
let BridgedTransport: TransportClass;
beforeAll(async () => {
  // client.ts picks its bridge at import; give it one that never answers.
  (globalThis as { window?: unknown }).window = {
    vermittlung: { shell: 'browser', invoke: () => new Promise(() => undefined), onEvent: () => () => undefined },
  };
  const path = ['..', '..', '..', '..', '..', '..', 'renderer', 'src', 'lib', 'phone', 'bridged-transport.js'].join('/');
  ({ BridgedTransport } = (await import(path)) as { BridgedTransport: TransportClass });
});

const logger = { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;

function scriptedHost(initial: PbxState['state'] = 'connecting') {
  const sent: string[] = [];
  const messageListeners = new Set<(m: string) => void>();
  const stateListeners = new Set<(s: PbxState) => void>();
  let current: PbxState = { state: initial, attempt: 0, connections: 0 };
  const host: PbxHost = {
    connect: () => Promise.resolve(current),
    state: () => Promise.resolve(current),
    send: (message) => {
      sent.push(message);
      return Promise.resolve();
    },
    disconnect: () => Promise.resolve(),
    onMessage: (l) => (messageListeners.add(l), () => messageListeners.delete(l)),
    onState: (l) => (stateListeners.add(l), () => stateListeners.delete(l)),
  };
  return {
    host,
    sent,
    setState(next: PbxState, emit = true) {
      current = next;
      if (emit) for (const l of stateListeners) l(next);
    },
    deliver: (m: string) => messageListeners.forEach((l) => l(m)),
  };
}

describe('BridgedTransport', () => {
  it('connects when the host reports connected, passes messages both ways and reports a loss', async () => {
    const h = scriptedHost();
    const transport = new BridgedTransport(logger, { host: h.host });
    const received: string[] = [];
    const lost: unknown[] = [];
    transport.onMessage = (m) => received.push(m);
    transport.onDisconnect = (e) => lost.push(e);
    const connecting = transport.connect();
    expect(transport.state).toBe('Connecting');
    h.setState({ state: 'connected', attempt: 0, connections: 1 });
    await connecting;
    expect(transport.isConnected()).toBe(true);
    await transport.send('OPTIONS sip:x SIP/2.0\r\n\r\n');
    expect(h.sent).toHaveLength(1);
    h.deliver('\r\n\r\n');
    h.deliver('SIP/2.0 200 OK\r\n\r\n');
    expect(received).toEqual(['SIP/2.0 200 OK\r\n\r\n']);
    h.setState({ state: 'connecting', attempt: 1, connections: 1, error: { code: 'connection_lost', message: 'gone' } });
    expect(transport.state).toBe('Disconnected');
    expect(lost).toHaveLength(1);
    expect((lost[0] as { code: string }).code).toBe('connection_lost');
    await expect(transport.send('x')).rejects.toThrow(/Not connected/);
  });

  it('rejects connect with the PBX error code on a refusal', async () => {
    const h = scriptedHost();
    const transport = new BridgedTransport(logger, { host: h.host });
    const connecting = transport.connect();
    h.setState({ state: 'failed', attempt: 0, connections: 0, error: { code: 'certificate_revoked', message: 'revoked' } });
    await expect(connecting).rejects.toMatchObject({ code: 'certificate_revoked' });
    expect(transport.state).toBe('Disconnected');
  });

  it('still connects when the state event was missed (polls the host)', async () => {
    const h = scriptedHost();
    const transport = new BridgedTransport(logger, { host: h.host });
    const connecting = transport.connect();
    h.setState({ state: 'connected', attempt: 0, connections: 1 }, false);
    await connecting;
    expect(transport.isConnected()).toBe(true);
  });

  it('returns the same promise for concurrent connects', () => {
    const h = scriptedHost();
    const transport = new BridgedTransport(logger, { host: h.host });
    const first = transport.connect();
    expect(transport.connect()).toBe(first);
    const settled = first.catch((error: unknown) => error);
    void transport.dispose();
    return expect(settled).resolves.toMatchObject({ code: 'connection_lost' });
  });
});
