import { describe, expect, it } from 'vitest';
import { connect, phoneRig, until } from './support/phones.js';

// What the engine writes on a call's history row for billing (docs/billing.md): the SIP Call-ID
// that the PBX's call detail record carries too, the time we held the far end, and the app's own
// talk time; and a callback on a firm's behalf asks the PBX to present the firm's number.
const rig = phoneRig();

describe('billing facts on the call row', () => {
  it('both ends keep the same Call-ID; the holder keeps its hold time, both their talk time', async () => {
    const [alice, bob] = [await rig.phone('alice'), await rig.phone('bob')];
    const call = await connect(alice, bob);
    await bob.engine.hold(call.in, true);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await bob.engine.hold(call.in, false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await bob.engine.hangup(call.in);
    const row = (phone: typeof alice) => [...phone.rows.values()][0]!;
    await until(() => row(alice).app_talk_seconds !== undefined && row(bob).app_talk_seconds !== undefined, 'both rows ended');
    const invite = rig.pbx.requests.find((m) => m.startsWith('INVITE sip:bob@'))!;
    const callId = /^Call-ID:\s*(\S+)/im.exec(invite)![1];
    expect(row(alice).pbx_call_id).toBe(callId);
    expect(row(bob).pbx_call_id).toBe(callId);
    // 1.6 s between the two accepted re-INVITEs at least, rounded: 2, or 3 on a machine slow to answer the second.
    expect(row(bob).hold_seconds).toBeGreaterThanOrEqual(2);
    expect(row(bob).hold_seconds).toBeLessThanOrEqual(3);
    expect(row(alice).hold_seconds).toBe(0);
    expect(row(bob).app_talk_seconds).toBeGreaterThanOrEqual(2);
    expect(row(bob).app_talk_seconds).toBeLessThanOrEqual(4);
  });

  it('a call on a firm’s behalf carries P-Preferred-Identity with the firm’s number, others none', async () => {
    const [alice] = [await rig.phone('alice')];
    await alice.engine.dial('+4915199887766', { asFirm: '+49301234567', tenant: 'mueller' });
    await alice.engine.dial('+4915199887700');
    await until(() => rig.pbx.requests.filter((m) => m.startsWith('INVITE sip:+49151')).length === 2, 'both INVITEs');
    const [asFirm, plain] = rig.pbx.requests.filter((m) => m.startsWith('INVITE sip:+49151'));
    expect(asFirm).toMatch(/^P-Preferred-Identity: <sip:\+49301234567@pbx\.test>\r$/m);
    expect(plain).not.toMatch(/P-Preferred-Identity/i);
    // Its history row is the firm's; the other call's is the user's first firm's, as before.
    await until(() => alice.rows.size === 2, 'both rows');
    expect([...alice.rows.values()].map((row) => row.tenant)).toEqual(['mueller', 'firm']);
  });
});
