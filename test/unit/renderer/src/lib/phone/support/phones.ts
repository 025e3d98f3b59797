import { BridgedTransport } from '../../../../../../../renderer/src/lib/phone/bridged-transport.js';
import { PhoneEngine } from '../../../../../../../renderer/src/lib/phone/engine.js';
import type { CallPatch } from '../../../../../../../protocol/store.js';
import type { PhonePorts } from '../../../../../../../renderer/src/lib/phone/ports.js';
import type { LineView } from '../../../../../../../renderer/src/lib/phone/types.js';
import { fakeMediaFactory } from './fake-media.js';
import { afterEach, beforeEach } from 'vitest';
import { installFakeDom, type FakeDom } from './fake-dom.js';
import { FakePbx } from './fake-pbx.js';

/** One phone on the fake PBX: the production engine and transport, with an in-memory history. */
export interface TestPhone {
  user: string;
  engine: PhoneEngine;
  /** History rows as the store would hold them, by row id. */
  rows: Map<string, Record<string, unknown>>;
  notifications: string[];
  logs: string[];
  /** The views as the UI last copied them, on the engine's last `changed()`. */
  ui: LineView[];
  /** Holds history rows back (the store is slow) until the returned release is called. */
  holdRows(): () => void;
  /** The line in this slot that has not ended. */
  live(slot: number): LineView | undefined;
  /** Every line the engine still shows (ended ones linger briefly). */
  views(): LineView[];
}

export async function startPhone(pbx: FakePbx, user: string): Promise<TestPhone> {
  const rows = new Map<string, Record<string, unknown>>();
  const notifications: string[] = [];
  const logs: string[] = [];
  let rowsHeld: Promise<void> = Promise.resolve();
  const ports: PhonePorts = {
    lookupCaller: () => Promise.resolve(null),
    createCall: async (record) => {
      await rowsHeld;
      const id = `${user}-row-${rows.size + 1}`;
      rows.set(id, { ...record });
      return { id };
    },
    updateCall: (id: string, patch: CallPatch) => {
      Object.assign(rows.get(id) ?? {}, patch);
      return Promise.resolve();
    },
    notify: (notification) => void notifications.push(`${notification.kind}:${notification.title}`),
    closeNotification: () => undefined,
    setCallActive: () => undefined,
    log: (level, message) => void logs.push(`${level}: ${message}`),
    text: (key, values) => `${key} ${JSON.stringify(values)}`,
  };
  const engine = new PhoneEngine(
    {
      aor: `sip:${user}@${pbx.domain}`,
      transportConstructor: BridgedTransport,
      transportOptions: { host: pbx.host(user), connectionTimeoutMs: 1000 },
      sessionDescriptionHandlerFactory: fakeMediaFactory,
      defaultTenant: 'firm',
      lookupTimeoutMs: 20,
      endedLingerMs: 30,
      keepAliveMs: 60_000,
    },
    ports,
    () => {
      phone.ui = engine.views();
    },
  );
  const views = () => engine.lines.map((line) => line.view);
  const phone: TestPhone = {
    user,
    engine,
    rows,
    notifications,
    logs,
    ui: [],
    holdRows: () => {
      let release = () => undefined as void;
      rowsHeld = new Promise((resolve) => (release = resolve));
      return release;
    },
    views,
    live: (slot) => views().find((view) => view.slot === slot && view.status !== 'ended'),
  };
  await engine.start();
  await until(() => engine.registration.status === 'registered', `${user} registered`);
  return phone;
}

/** Polls a condition every few ms; fails with what it waited for after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The line that is ringing on this phone (waits for it). */
export async function ringing(phone: TestPhone): Promise<LineView> {
  await until(() => phone.views().some((view) => view.status === 'ringing'), `${phone.user} ringing`);
  return phone.views().find((view) => view.status === 'ringing')!;
}

export async function stopAll(phones: TestPhone[]): Promise<void> {
  await Promise.all(phones.map((phone) => phone.engine.stop()));
}

/**
 * Each test of a file gets a fresh fake DOM and PBX; the phones it starts are stopped after it.
 * `rig.pbx` and `rig.dom` are the current test's.
 */
export function phoneRig(): { readonly pbx: FakePbx; readonly dom: FakeDom; phone(user: string): Promise<TestPhone> } {
  let dom: FakeDom | undefined;
  let pbx: FakePbx | undefined;
  let phones: TestPhone[] = [];
  beforeEach(() => {
    dom = installFakeDom();
    pbx = new FakePbx();
    phones = [];
  });
  afterEach(async () => {
    await stopAll(phones);
    dom?.restore();
  });
  return {
    get pbx() {
      if (!pbx) throw new Error('the phone rig is used outside a test');
      return pbx;
    },
    get dom() {
      if (!dom) throw new Error('the phone rig is used outside a test');
      return dom;
    },
    async phone(user) {
      const started = await startPhone(this.pbx, user);
      phones.push(started);
      return started;
    },
  };
}

/** Places a call from `caller` to `callee` and answers it; the line ids on both sides. */
export async function connect(caller: TestPhone, callee: TestPhone): Promise<{ out: string; in: string }> {
  const out = await caller.engine.dial(callee.user);
  const line = await ringing(callee);
  await callee.engine.answer(line.id);
  await until(
    () => caller.engine.line(out).view.status === 'connected' && callee.engine.line(line.id).view.status === 'connected',
    'call connected',
  );
  return { out, in: line.id };
}
