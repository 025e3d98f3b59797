import { describe, expect, it } from 'vitest';
import { DialError } from '../../../../../../renderer/src/lib/phone/dial-error.js';
import { connect, phoneRig, ringing, until } from './support/phones.js';

// Calls reaching a phone, in Node: the production engine and bridged transport on an in-memory PBX.
const rig = phoneRig();
const phone = (user: string) => rig.phone(user);

describe('incoming calls', () => {
  it('rings, is answered, and both ends record it', async () => {
    const alice = await phone('alice');
    const bob = await phone('bob');
    const { out } = await connect(alice, bob);
    await alice.engine.hangup(out);
    await until(() => bob.views().every((view) => view.status === 'ended'), 'bob hung up');
    await until(() => [...bob.rows.values()].some((row) => row.outcome === 'answered' && row.ended_at), 'bob row');
    const row = [...bob.rows.values()][0];
    expect(row).toMatchObject({ direction: 'in', remote_number: 'alice', outcome: 'answered' });
    expect(typeof row?.answered_at).toBe('string');
    expect(bob.notifications[0]).toMatch(/^incoming:/);
  });

  it('tells the UI of every change to a line, a history row id that comes late included', async () => {
    const alice = await phone('alice');
    const bob = await phone('bob');
    const release = alice.holdRows();
    const out = await alice.engine.dial('bob');
    await ringing(bob);
    await until(() => alice.engine.line(out).view.status === 'ringback', 'alice hears ringing');
    release();
    await until(() => alice.engine.line(out).view.recordId !== undefined, 'alice row created');
    expect(alice.ui).toEqual(alice.engine.views());
    expect(alice.ui[0]?.recordId).toBe('alice-row-1');
  });

  it('refuses with 486 under DND, rings nothing and records the caller as busy', async () => {
    const alice = await phone('alice');
    const bob = await phone('bob');
    bob.engine.setDnd(true);
    const out = await alice.engine.dial('bob');
    await until(() => alice.engine.lines.every((line) => line.view.status === 'ended'), 'alice rejected');
    expect(alice.views().find((view) => view.id === out)?.endCode).toBe(486);
    expect(bob.views().filter((view) => view.status !== 'ended')).toEqual([]);
    expect(rig.dom.rings).toEqual([]);
    await until(() => [...bob.rows.values()].some((row) => row.outcome === 'busy'), 'busy row');
    expect(bob.notifications).toEqual([]);
    // DND off: the next call rings again.
    bob.engine.setDnd(false);
    await alice.engine.dial('bob');
    await ringing(bob);
  });

  it('sends the 302 to the forward target under DND with a forward, unless the call was forwarded already', async () => {
    const alice = await phone('alice');
    const bob = await phone('bob');
    // A number target needs no question to the PBX (only colleagues' registration is asked).
    bob.engine.setDndForward('forward', '+4930123456');
    bob.engine.setDnd(true);
    await alice.engine.dial('bob');
    await until(() => rig.pbx.responses('INVITE').includes(302), 'a 302 from bob');
    await until(() => [...bob.rows.values()].some((row) => row.outcome === 'forwarded'), 'forwarded row');
  });

  it('takes four calls at once and refuses the fifth with 486; dialling a fifth line fails', async () => {
    const bob = await phone('bob');
    const callers = await Promise.all(['c1', 'c2', 'c3', 'c4', 'c5'].map((user) => phone(user)));
    for (const caller of callers.slice(0, 4)) await caller.engine.dial('bob');
    await until(() => bob.views().filter((view) => view.status === 'ringing').length === 4, 'four lines ringing');
    expect(
      bob
        .views()
        .map((view) => view.slot)
        .sort(),
    ).toEqual([1, 2, 3, 4]);
    await callers[4]!.engine.dial('bob');
    await until(() => callers[4]!.views().every((view) => view.status === 'ended'), 'fifth refused');
    expect(callers[4]!.views()[0]?.endCode).toBe(486);
    await until(() => [...bob.rows.values()].some((row) => row.outcome === 'busy'), 'busy row for the fifth');
    expect(bob.views().filter((view) => view.status !== 'ended')).toHaveLength(4);
    await expect(bob.engine.dial('c5')).rejects.toEqual(new DialError('no_line'));
  });

  it('rings a second call quieter while talking, and answering it holds the first', async () => {
    const alice = await phone('alice');
    const bob = await phone('bob');
    const carol = await phone('carol');
    const first = await connect(alice, bob);
    expect(rig.dom.rings).toEqual([1]);
    await carol.engine.dial('bob');
    await until(() => bob.views().some((view) => view.status === 'ringing'), 'call waiting rings');
    const waiting = bob.views().find((view) => view.status === 'ringing')!;
    expect(waiting.slot).toBe(2);
    await until(() => rig.dom.rings.length === 2, 'second ringtone');
    expect(rig.dom.rings[1]).toBeCloseTo(0.25);
    await bob.engine.answer(waiting.id);
    await until(() => bob.engine.line(first.in).view.localHold, 'first call on hold');
    await until(() => alice.engine.line(first.out).view.remoteHold, 'alice hears she is held');
    await until(() => bob.engine.line(waiting.id).view.status === 'connected', 'second call connected');
    // Back to the first: the second goes on hold.
    await bob.engine.swap(first.in);
    expect(bob.engine.line(first.in).view.localHold).toBe(false);
    expect(bob.engine.line(waiting.id).view.localHold).toBe(true);
  });
});
