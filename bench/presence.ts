/**
 * Suite "presence": A changes her status in one app instance, B (another instance, watching A and
 * 50 unregistered colleagues) shows it — PUBLISH → Kamailio presence → NOTIFY → B's DOM painted.
 * Both pages run on this machine, so their wall clocks agree; the sample includes the test's own
 * page.evaluate round trip, so it overstates slightly. Round by round, alternating with it, the
 * same PUBLISH → NOTIFY between two raw SIP clients on the same Kamailio (bench/_raw-presence.ts):
 * `presence_vs_raw_notify_ratio` is the two medians divided.
 * Ringing: carol calls alice → bob's list shows alice "ringing" (INVITE → 180 → pua_dialoginfo
 * PUBLISH → presence_dialoginfo NOTIFY on the `dialog` subscription → painted).
 */
import { peerText, presenceApi, startRig, until } from '../test/integration/presence/rig.js';
import { emit, onAbort, percentile, runSuite, size, step } from './_metrics.js';
import { startRawPresence } from './_raw-presence.js';
import { suiteDeadlineMs } from './_suites.js';

const SUITE = 'presence';
const ROUNDS = size(40, 4);
const RING_ROUNDS = size(10, 2);
const EXTRA = 50;
const extra = Array.from({ length: EXTRA }, (_, i) => `colleague${String(i + 1).padStart(2, '0')}`);

await runSuite(SUITE, suiteDeadlineMs(SUITE), async () => {
  const rig = await step('rig start', 60_000, () =>
    startRig(['alice', 'bob', 'carol'], EXTRA, (user) =>
      user === 'bob' ? ['alice', ...extra] : user === 'alice' ? ['bob'] : [],
    ),
  );
  const unregister = onAbort(() => rig.shutdown());
  try {
    const alice = presenceApi(rig.pages.alice!);
    const bob = presenceApi(rig.pages.bob!);
    await step('bob sees alice', 15_000, () =>
      until(async () => (await peerText(rig.pages.bob!, 'alice')) === 'available', 10_000, 'bob sees alice'),
    );
    // Two directory users nobody runs an app for, in the apps' tenant.
    const [rawPublisher, rawWatcher] = [extra.at(-2)!, extra.at(-1)!];
    const raw = await step('raw clients subscribe', 15_000, () =>
      startRawPresence(rig.stack.info.pbxWss, rig.home.issue(rawPublisher), rig.home.issue(rawWatcher), rig.home.caPem),
    );
    const samples: number[] = [];
    const rawSamples: number[] = [];
    const setChoiceMs: number[] = [];
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const next = i % 2 === 0 ? 'dnd' : 'available';
        await step(`round ${i}`, 10_000, async () => {
          const started = Date.now();
          const evaluated = performance.now();
          await alice.setChoice(next);
          setChoiceMs.push(performance.now() - evaluated);
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
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
        rawSamples.push(await step(`raw round ${i}`, 10_000, () => raw.change(next)));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      raw.close();
    }
    emit(SUITE, 'presence_propagation_p50_ms', percentile(samples, 0.5), 'ms');
    emit(SUITE, 'presence_propagation_p95_ms', percentile(samples, 0.95), 'ms');
    emit(SUITE, 'presence_propagation_max_ms', Math.max(...samples), 'ms');
    emit(SUITE, 'presence_watched_colleagues', extra.length + 1, 'count');
    emit(SUITE, 'raw_publish_to_notify_p50_ms', percentile(rawSamples, 0.5), 'ms');
    emit(SUITE, 'raw_publish_to_notify_p95_ms', percentile(rawSamples, 0.95), 'ms');
    // What the app figure holds that the raw one does not: the bench's own round trip into alice's
    // page (the sample starts before it) and, at the end, the wait for bob's next frame (≤ 16.7 ms).
    emit(SUITE, 'presence_set_choice_roundtrip_p50_ms', percentile(setChoiceMs, 0.5), 'ms');
    emit(SUITE, 'presence_vs_raw_notify_ratio', percentile(samples, 0.5) / percentile(rawSamples, 0.5), 'ratio');

    const carol = presenceApi(rig.pages.carol!);
    const ringing: number[] = [];
    for (let i = 0; i < RING_ROUNDS; i++) {
      await step(`ringing round ${i}`, 20_000, async () => {
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
      });
    }
    emit(SUITE, 'presence_ringing_p50_ms', percentile(ringing, 0.5), 'ms');
    emit(SUITE, 'presence_ringing_p95_ms', percentile(ringing, 0.95), 'ms');
  } finally {
    unregister();
    await step('rig shutdown', 30_000, () => rig.shutdown());
  }
});
