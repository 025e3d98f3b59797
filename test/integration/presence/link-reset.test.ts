import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConnectionsOf } from '../../../pbx/connections.js';
import { presenceApi, shows as showsIn, startRig, until, type Rig } from './rig.js';

// Two apps watch each other through the real Kamailio; the PBX drops bob's WebSocket (as a reset of
// the link does), bob reconnects and subscribes anew, then alice changes her status.
let rig: Rig;
const LIVE = ['alice', 'bob'];

beforeAll(async () => {
  rig = await startRig(LIVE, 0, (user) => LIVE.filter((u) => u !== user));
}, 120_000);

afterAll(async () => {
  await rig?.shutdown();
});

const shows = (watcher: string, user: string, text: string, timeoutMs: number) => showsIn(rig, watcher, user, text, timeoutMs);

const kamailioLog = () => readFileSync(rig.stack.info.logs.kamailio, 'utf8');

describe('presence after the WebSocket of a watcher is reset', () => {
  it('the reconnected watcher sees every later change within 2 s, and the PBX keeps no watcher of the dead connection', async () => {
    const alice = presenceApi(rig.pages.alice!);
    const bob = presenceApi(rig.pages.bob!);
    await shows('bob', 'alice', 'available', 5000);
    const recoveries = (await bob.registration()).recoveries;
    const logBefore = kamailioLog().length;

    const closed = await closeConnectionsOf(rig.stack.info.ctlSocket, new Set(['bob']), 'link reset', () => undefined);
    expect(closed).toBe(1);
    await until(
      async () => {
        const reg = await bob.registration();
        return reg.status === 'registered' && reg.recoveries > recoveries;
      },
      15_000,
      'bob registered again',
    );
    // Bob's app ends the subscriptions of the dead connection and opens new ones (presence and
    // dialog): four NOTIFYs to bob, each pair over the new connection.
    const notifiesToBob = () =>
      (
        kamailioLog()
          .slice(logBefore)
          .match(/NOTIFY sip:bob@\S+ via /g) ?? []
      ).length;
    await until(() => Promise.resolve(notifiesToBob() >= 4), 10_000, 'bob subscribed anew');
    await shows('bob', 'alice', 'available', 2000);

    for (const [choice, text] of [
      ['dnd', 'dnd'],
      ['available', 'available'],
      ['dnd', 'dnd'],
    ] as const) {
      await alice.setChoice(choice);
      expect(await shows('bob', 'alice', text, 2000)).toBeLessThan(2000);
    }
    const log = kamailioLog().slice(logBefore);
    expect(log).not.toMatch(/Could not send notify/);
  }, 60_000);
});
