/**
 * Preloaded with `node --import` into an app process that a test wants on a wrong clock, as on a
 * laptop whose date is set wrong: `Date.now()` and `new Date()` run VERMITTLUNG_TEST_CLOCK_SHIFT_MS
 * ahead (negative: behind). TLS keeps the system's time, as it would on such a laptop's OpenSSL.
 */
const shift = Number(process.env.VERMITTLUNG_TEST_CLOCK_SHIFT_MS ?? 0);
if (Number.isFinite(shift) && shift !== 0) {
  const RealDate = Date;
  const now = () => RealDate.now() + shift;
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) => Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget),
    apply: () => new RealDate(now()).toString(),
    get: (target, prop, receiver) => (prop === 'now' ? now : Reflect.get(target, prop, receiver)),
  });
}
