import { describe, expect, it } from 'vitest';
import { connect, phoneRig, ringing, until, type TestPhone } from './support/phones.js';

// Blind and attended transfer between three phones on the in-memory PBX: alice calls bob, bob hands
// alice on to carol. Each phone is the production engine; alice follows bob's REFER on her own.
const rig = phoneRig();
const phone = (user: string) => rig.phone(user);

const connected = (phone: TestPhone) => phone.views().filter((view) => view.status === 'connected');

describe('transfer', () => {
  it('blind: the caller follows the REFER to the target, and the transferor leaves the call', async () => {
    const [alice, bob, carol] = [await phone('alice'), await phone('bob'), await phone('carol')];
    const call = await connect(alice, bob);
    const done = bob.engine.blindTransfer(call.in, 'carol');
    const atCarol = await ringing(carol);
    expect(atCarol.remoteUser).toBe('alice');
    await carol.engine.answer(atCarol.id);
    await done;
    expect(bob.engine.lines.find((line) => line.view.id === call.in)?.view.transfer).toMatchObject({
      kind: 'blind',
      target: 'carol',
      state: 'done',
    });
    await until(() => bob.views().every((view) => view.status === 'ended'), 'bob left the call');
    await until(() => connected(alice).length === 1 && connected(carol).length === 1, 'alice talks to carol');
    expect(connected(alice)[0]).toMatchObject({ remoteUser: 'carol', viaTransfer: true });
    await until(() => [...bob.rows.values()].some((row) => row.outcome === 'forwarded'), 'bob row forwarded');
  });

  it('blind to somebody not registered fails, and the call stays with the transferor', async () => {
    const [alice, bob] = [await phone('alice'), await phone('bob')];
    const call = await connect(alice, bob);
    await bob.engine.blindTransfer(call.in, 'nobody');
    expect(bob.engine.line(call.in).view.transfer?.state).toBe('failed');
    expect(bob.engine.line(call.in).view.status).toBe('connected');
  });

  it('attended: consult the target with the caller on hold, then join them with Replaces', async () => {
    const [alice, bob, carol] = [await phone('alice'), await phone('bob'), await phone('carol')];
    const call = await connect(alice, bob);
    const consultation = bob.engine.startConsultation(call.in, 'carol');
    const atCarol = await ringing(carol);
    const consultId = await consultation;
    expect(bob.engine.line(call.in).view.localHold).toBe(true);
    expect(bob.engine.line(consultId).view.consultationFor).toBe(call.in);
    await carol.engine.answer(atCarol.id);
    await until(() => bob.engine.line(consultId).view.status === 'connected', 'consultation connected');
    await bob.engine.completeConsultation(consultId);
    expect(bob.engine.line(call.in).view.transfer).toMatchObject({ kind: 'attended', target: 'carol', state: 'done' });
    await until(() => bob.views().every((view) => view.status === 'ended'), 'both of bob’s legs ended');
    // Carol's new line replaced the consultation and was answered without ringing.
    await until(() => connected(alice).length === 1 && connected(carol).length === 1, 'alice talks to carol');
    expect(connected(carol)[0]).toMatchObject({ remoteUser: 'alice', viaTransfer: true });
    expect(rig.dom.rings).toHaveLength(2);

    // The rows say how they belong together: each desk's legs name the customer call.
    await until(() => [...bob.rows.values()].some((row) => row.transferred_to === 'carol'), 'bob’s row says where it went');
    const rowOf = (p: TestPhone, test: (row: Record<string, unknown>) => boolean) =>
      [...p.rows.entries()].find(([, row]) => test(row));
    const [bobsCall] = rowOf(bob, (row) => row.direction === 'in')!;
    expect(rowOf(bob, (row) => row.direction === 'out')![1]).toMatchObject({
      parent_id: bobsCall,
      remote_number: 'carol',
      internal: true,
    });
    await until(() => carol.rows.size === 2 && [...carol.rows.values()].some((row) => row.parent_id), 'carol’s legs linked');
    const [carolsCall] = rowOf(carol, (row) => row.remote_number === 'alice')!;
    expect(rowOf(carol, (row) => row.remote_number === 'bob')![1]).toMatchObject({ parent_id: carolsCall });
    await until(() => alice.rows.size === 2, 'alice’s second row');
    const [alicesCall] = rowOf(alice, (row) => row.remote_number === 'bob')!;
    expect(rowOf(alice, (row) => row.remote_number === 'carol')![1]).toMatchObject({ parent_id: alicesCall });
  });
});
