import { describe, expect, it } from 'vitest';
import { PresenceEngine } from '../../../../../../renderer/src/lib/presence/presence-engine.js';
import type { Published } from '../../../../../../renderer/src/lib/presence/types.js';
import { connect, phoneRig, until } from '../phone/support/phones.js';

// "Nacharbeit" from the production phone and presence engines on the in-memory PBX: an answered call's
// hang-up starts it, the saved note (endWrapUp) or the time limit ends it, and it is what gets published.
const rig = phoneRig();

function presenceOf(phone: Awaited<ReturnType<typeof rig.phone>>, wrapUpMaxMs?: number) {
  const own: Published[] = [];
  const presence = new PresenceEngine(phone.engine, {
    aor: `sip:${phone.user}@${rig.pbx.domain}`,
    log: () => undefined,
    onOwn: (status) => void own.push(status),
    onPeer: () => undefined,
    ...(wrapUpMaxMs ? { wrapUpMaxMs } : {}),
  });
  presence.start();
  return { presence, own };
}

describe('after-call work in presence', () => {
  it('follows an answered call until the note is saved, and is published', async () => {
    const [alice, bob] = [await rig.phone('alice'), await rig.phone('bob')];
    const { presence, own } = presenceOf(bob);
    const call = await connect(alice, bob);
    await until(() => presence.status === 'busy', 'busy in the call');
    await bob.engine.hangup(call.in);
    await until(() => presence.status === 'wrapup', 'Nacharbeit after the hang-up');
    await until(() => rig.pbx.requests.some((m) => m.startsWith('PUBLISH') && m.includes('after-call-work')), 'published');
    presence.endWrapUp();
    expect(presence.status).toBe('available');
    expect(own.slice(-3)).toEqual(['busy', 'wrapup', 'available']);
    await presence.stop();
  });

  it('ends by itself after the limit; a call never answered starts none', async () => {
    const [alice, bob] = [await rig.phone('alice'), await rig.phone('bob')];
    const { presence } = presenceOf(bob, 300);
    const out = await alice.engine.dial('bob');
    await until(() => bob.views().some((v) => v.status === 'ringing'), 'ringing');
    await alice.engine.hangup(out);
    await until(() => bob.views().every((v) => v.status === 'ended'), 'cancelled');
    expect(presence.status).toBe('available');
    const call = await connect(alice, bob);
    await alice.engine.hangup(call.out);
    await until(() => presence.status === 'wrapup', 'Nacharbeit');
    await until(() => presence.status === 'available', 'over after 300 ms', 3000);
    await presence.stop();
  });
});
