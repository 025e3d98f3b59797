/**
 * Suite "presence": A changes her status in one app instance, B (another instance, watching A and
 * 50 unregistered colleagues) shows it — PUBLISH → Kamailio presence → NOTIFY → B's DOM painted.
 * Both pages run on this machine, so their wall clocks agree; the sample includes the test's own
 * page.evaluate round trip, so it overstates slightly.
 * Ringing: carol calls alice → bob's list shows alice "ringing" (INVITE → 180 → pua_dialoginfo
 * PUBLISH → presence_dialoginfo NOTIFY on the `dialog` subscription → painted).
 */
import { peerText, presenceApi, startRig, until } from '../test/integration/presence/rig.js';
import { emit, percentile } from './_metrics.js';

const SUITE = 'presence';
const ROUNDS = 40;
const RING_ROUNDS = 10;
const extra = Array.from({ length: 50 }, (_, i) => `colleague${String(i + 1).padStart(2, '0')}`);
const rig = await startRig(['alice', 'bob', 'carol'], 50, (user) =>
  user === 'bob' ? ['alice', ...extra] : user === 'alice' ? ['bob'] : [],
);
try {
  const alice = presenceApi(rig.pages.alice!);
  const bob = presenceApi(rig.pages.bob!);
  await until(async () => (await peerText(rig.pages.bob!, 'alice')) === 'available', 10_000, 'bob sees alice');
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const next = i % 2 === 0 ? 'dnd' : 'available';
    const started = Date.now();
    await alice.setChoice(next);
    let shownAt: number | undefined;
    await until(
      async () => {
        shownAt = await bob.shownAt('alice', next, started);
        return shownAt !== undefined;
      },
      5000,
      `round ${i}`,
    );
    samples.push(shownAt! - started);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  emit(SUITE, 'presence_propagation_p50_ms', percentile(samples, 0.5), 'ms');
  emit(SUITE, 'presence_propagation_p95_ms', percentile(samples, 0.95), 'ms');
  emit(SUITE, 'presence_propagation_max_ms', Math.max(...samples), 'ms');
  emit(SUITE, 'presence_watched_colleagues', extra.length + 1, 'count');

  const carol = presenceApi(rig.pages.carol!);
  const ringing: number[] = [];
  for (let i = 0; i < RING_ROUNDS; i++) {
    const started = Date.now();
    const call = await carol.dial('alice');
    let shownAt: number | undefined;
    await until(
      async () => {
        shownAt = await bob.shownAt('alice', 'ringing', started);
        return shownAt !== undefined;
      },
      5000,
      `ringing round ${i}`,
    );
    ringing.push(shownAt! - started);
    await carol.hangup(call);
    await until(async () => (await peerText(rig.pages.bob!, 'alice')) === 'available', 5000, `ringing round ${i} over`);
  }
  emit(SUITE, 'presence_ringing_p50_ms', percentile(ringing, 0.5), 'ms');
  emit(SUITE, 'presence_ringing_p95_ms', percentile(ringing, 0.95), 'ms');
} finally {
  await rig.shutdown();
}
