import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RegistrationStatus } from '../../../../../../renderer/src/lib/phone/types.js';
import { installFakeDom, type FakeDom } from './support/fake-dom.js';
import { FakePbx } from './support/fake-pbx.js';
import { ringing, startPhone, stopAll, until, type TestPhone } from './support/phones.js';

// The registration keeps itself up without the user: after the PBX connection drops, and after the
// registrar lets a registration lapse by refusing its refresh.
let dom: FakeDom;
let pbx: FakePbx;
let phones: TestPhone[] = [];

beforeEach(() => {
  dom = installFakeDom();
  pbx = new FakePbx();
  phones = [];
});

afterEach(async () => {
  await stopAll(phones);
  dom.restore();
});

async function phone(user: string): Promise<TestPhone> {
  const started = await startPhone(pbx, user);
  phones.push(started);
  return started;
}

function statuses(phone: TestPhone): RegistrationStatus[] {
  const seen: RegistrationStatus[] = [];
  phone.engine.observers.add(() => {
    const status = phone.engine.registration.status;
    if (seen.at(-1) !== status) seen.push(status);
  });
  return seen;
}

describe('registration', () => {
  it('comes back on its own after the PBX connection drops, and calls reach the phone again', async () => {
    const alice = await phone('alice');
    const bob = await phone('bob');
    const seen = statuses(bob);
    pbx.drop('bob');
    expect(pbx.isRegistered('bob')).toBe(false);
    await until(() => bob.engine.registration.status === 'registered' && pbx.isRegistered('bob'), 'bob registered again');
    expect(seen).toEqual(['reconnecting', 'registering', 'registered']);
    expect(bob.engine.registration.recoveries).toBe(1);
    await alice.engine.dial('bob');
    await ringing(bob);
  });

  it('re-registers after the registrar refuses a refresh (a lapsed registration)', async () => {
    pbx.expires = 1;
    const bob = await phone('bob');
    const seen = statuses(bob);
    pbx.registerRefusals.push(403);
    await until(() => seen.includes('reconnecting'), 'the lapse noticed', 4000);
    expect(bob.logs.some((line) => line.includes('registration lapsed'))).toBe(true);
    await until(() => bob.engine.registration.status === 'registered', 'bob registered again', 4000);
    expect(bob.engine.registration.recoveries).toBe(1);
    expect(pbx.isRegistered('bob')).toBe(true);
  });

  it('waits while the OS reports no network, and registers again as soon as it is back', async () => {
    const bob = await phone('bob');
    const seen = statuses(bob);
    const os = globalThis as unknown as { navigator: { onLine: boolean }; window: EventTarget };
    os.navigator.onLine = false;
    os.window.dispatchEvent({ type: 'offline' } as Event);
    pbx.drop('bob');
    await new Promise((resolve) => setTimeout(resolve, 600));
    // No retry while offline: the backoff's first try (≤ 300 ms) would have come by now.
    expect(bob.engine.registration.status).toBe('offline');
    expect(pbx.isRegistered('bob')).toBe(false);
    os.navigator.onLine = true;
    os.window.dispatchEvent({ type: 'online' } as Event);
    await until(() => bob.engine.registration.status === 'registered' && pbx.isRegistered('bob'), 'bob back');
    expect(seen).toEqual(['offline', 'registering', 'registered']);
  });
});
