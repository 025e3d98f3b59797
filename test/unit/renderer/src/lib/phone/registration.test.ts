import { describe, expect, it } from 'vitest';
import type { RegistrationStatus } from '../../../../../../renderer/src/lib/phone/types.js';
import { phoneRig, ringing, until, type TestPhone } from './support/phones.js';

// The registration keeps itself up without the user: after the PBX connection drops, and after the
// registrar lets a registration lapse by refusing its refresh.
const rig = phoneRig();
const phone = (user: string) => rig.phone(user);

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
    rig.pbx.drop('bob');
    expect(rig.pbx.isRegistered('bob')).toBe(false);
    await until(() => bob.engine.registration.status === 'registered' && rig.pbx.isRegistered('bob'), 'bob registered again');
    expect(seen).toEqual(['reconnecting', 'registering', 'registered']);
    expect(bob.engine.registration.recoveries).toBe(1);
    await alice.engine.dial('bob');
    await ringing(bob);
  });

  it('re-registers after the registrar refuses a refresh (a lapsed registration)', async () => {
    rig.pbx.expires = 1;
    const bob = await phone('bob');
    const seen = statuses(bob);
    rig.pbx.registerRefusals.push(403);
    await until(() => seen.includes('reconnecting'), 'the lapse noticed', 4000);
    expect(bob.logs.some((line) => line.includes('registration lapsed'))).toBe(true);
    await until(() => bob.engine.registration.status === 'registered', 'bob registered again', 4000);
    expect(bob.engine.registration.recoveries).toBe(1);
    expect(rig.pbx.isRegistered('bob')).toBe(true);
  });

  it('waits while the OS reports no network, and registers again as soon as it is back', async () => {
    const bob = await phone('bob');
    const seen = statuses(bob);
    const os = globalThis as unknown as { navigator: { onLine: boolean }; window: EventTarget };
    os.navigator.onLine = false;
    os.window.dispatchEvent({ type: 'offline' } as Event);
    rig.pbx.drop('bob');
    await new Promise((resolve) => setTimeout(resolve, 600));
    // No retry while offline: the backoff's first try (≤ 300 ms) would have come by now.
    expect(bob.engine.registration.status).toBe('offline');
    expect(rig.pbx.isRegistered('bob')).toBe(false);
    os.navigator.onLine = true;
    os.window.dispatchEvent({ type: 'online' } as Event);
    await until(() => bob.engine.registration.status === 'registered' && rig.pbx.isRegistered('bob'), 'bob back');
    expect(seen).toEqual(['offline', 'registering', 'registered']);
  });
});
