import { describe, expect, it } from 'vitest';
import { ForwardCheck, verdictOf, type PbxAnswer } from '../../../../../../renderer/src/lib/phone/forward-check.js';

describe("the PBX's verdict on a DND forward target", () => {
  it("reads 200 as followed and the reference PBX's 403 reasons as refusals", () => {
    expect(verdictOf({ status: 200, reason: 'Forward followed' })).toEqual({ verdict: 'followed' });
    const refusal = (reason: string) => verdictOf({ status: 403, reason: `Forward not followed - ${reason}` }).refusal;
    expect(refusal('not a colleague')).toBe('not_colleague');
    expect(refusal('number not allowed')).toBe('barred');
    expect(refusal('no trunk')).toBe('no_trunk');
    expect(refusal('a firm number of this PBX')).toBe('firm_number');
    expect(refusal('not registered')).toBe('not_registered');
    expect(refusal('the forwarding user')).toBe('other');
  });

  it('treats no answer or any other status (a PBX without the check) as unknown, never as refused', () => {
    expect(verdictOf(undefined)).toEqual({ verdict: 'unknown' });
    expect(verdictOf({ status: 404, reason: 'Not Found' })).toEqual({ verdict: 'unknown' });
    expect(verdictOf({ status: 405, reason: 'Method Not Allowed' })).toEqual({ verdict: 'unknown' });
  });

  it('refuses only the exact target the PBX said no to, and a later answer for an older target is dropped', async () => {
    const pending = new Map<string, (answer: PbxAnswer | undefined) => void>();
    let changes = 0;
    const check = new ForwardCheck(
      (target) => new Promise((resolve) => pending.set(target, resolve)),
      () => changes++,
    );
    const first = check.refresh('dave');
    const second = check.refresh('+491701234567');
    expect(check.view).toEqual({ target: '+491701234567', verdict: 'unknown' });
    pending.get('+491701234567')!({ status: 200, reason: 'Forward followed' });
    await second;
    pending.get('dave')!({ status: 403, reason: 'Forward not followed - not a colleague' });
    await first;
    expect(check.view).toEqual({ target: '+491701234567', verdict: 'followed' });
    expect(check.refuses('+491701234567')).toBe(false);

    const third = check.refresh('dave');
    pending.get('dave')!({ status: 403, reason: 'Forward not followed - not a colleague' });
    await third;
    expect(check.refuses('dave')).toBe(true);
    expect(check.refuses('bob')).toBe(false);
    expect(changes).toBeGreaterThan(0);

    await check.refresh(undefined);
    expect(check.view).toBeUndefined();
    expect(check.refuses('dave')).toBe(false);

    // Forwarding switched off while a question is under way: the late answer brings nothing back.
    const late = check.refresh('dave', true);
    await check.refresh(undefined);
    pending.get('dave')!({ status: 403, reason: 'Forward not followed - not a colleague' });
    await late;
    expect(check.view).toBeUndefined();
  });

  it('does not ask again for the same target unless told to (registration, DND switched on)', async () => {
    let asked = 0;
    const check = new ForwardCheck(
      () => {
        asked++;
        return Promise.resolve({ status: 200, reason: 'OK' });
      },
      () => undefined,
    );
    await check.refresh('bob');
    await check.refresh('bob');
    expect(asked).toBe(1);
    await check.refresh('bob', true);
    expect(asked).toBe(2);
  });

  it('asks again for a target last reported not registered, even when it did not change', async () => {
    const answers = ['not registered', 'OK'];
    let asked = 0;
    const check = new ForwardCheck(
      () => {
        const reason = answers[asked++]!;
        return Promise.resolve(
          reason === 'OK' ? { status: 200, reason } : { status: 403, reason: `Forward not followed - ${reason}` },
        );
      },
      () => undefined,
    );
    await check.refresh('bob');
    expect(check.view).toEqual({ target: 'bob', verdict: 'refused', refusal: 'not_registered' });
    // Not a refusal for good: nothing refuses a caller on the strength of an old "not registered".
    expect(check.refuses('bob')).toBe(false);
    await check.refresh('bob');
    expect(asked).toBe(2);
    expect(check.view).toEqual({ target: 'bob', verdict: 'followed' });
  });
});

describe('an incoming call on DND-forward', () => {
  /** A PBX whose answer for each question is the next in `reasons` ('OK' → 200), after `delayMs`. */
  function pbx(reasons: string[], delayMs = 0) {
    const asked: string[] = [];
    const check = new ForwardCheck(
      (target) => {
        asked.push(target);
        const reason = reasons.shift() ?? 'OK';
        const answer: PbxAnswer =
          reason === 'OK' ? { status: 200, reason } : { status: 403, reason: `Forward not followed - ${reason}` };
        return new Promise((resolve) => setTimeout(() => resolve(answer), delayMs));
      },
      () => undefined,
    );
    return { check, asked };
  }

  it('asks the PBX about a colleague at each call: not registered → 486, and the next call asks again', async () => {
    const { check, asked } = pbx(['OK', 'not registered', 'OK']);
    await check.refresh('bob');
    expect(check.view?.verdict).toBe('followed');
    // bob signed off since Settings checked: this call is answered 486, and Settings learns why.
    expect(await check.atCall('bob', true)).toEqual({ forward: false, why: 'the PBX refuses bob now (not_registered)' });
    expect(check.view).toEqual({ target: 'bob', verdict: 'refused', refusal: 'not_registered' });
    // bob is back: the verdict did not stick.
    expect(await check.atCall('bob', true)).toEqual({ forward: true });
    expect(asked).toEqual(['bob', 'bob', 'bob']);
    expect(check.view?.verdict).toBe('followed');
  });

  it('forwards as before when the PBX does not answer within the budget, and never waits longer', async () => {
    const { check } = pbx(['not registered'], 300);
    const started = Date.now();
    expect(await check.atCall('bob', true, 50)).toEqual({ forward: true });
    expect(Date.now() - started).toBeLessThan(250);
    // The late answer still reaches Settings.
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(check.view).toEqual({ target: 'bob', verdict: 'refused', refusal: 'not_registered' });
  });

  it('a PBX without the check (no answer, other statuses) never turns a forward into a refusal', async () => {
    const check = new ForwardCheck(
      () => Promise.resolve({ status: 404, reason: 'Not Found' }),
      () => undefined,
    );
    expect(await check.atCall('bob', true)).toEqual({ forward: true });
    expect(check.view).toEqual({ target: 'bob', verdict: 'unknown' });
  });

  it('a number is not asked at each call: its last lasting verdict decides', async () => {
    const { check, asked } = pbx(['number not allowed']);
    await check.refresh('+49900123456');
    expect(await check.atCall('+49900123456', false)).toEqual({ forward: false, why: 'the PBX refuses that target' });
    expect(await check.atCall('+491701234567', false)).toEqual({ forward: true });
    expect(asked).toEqual(['+49900123456']);
  });

  it('a colleague the PBX refuses for good stays refused when it cannot be asked in time', async () => {
    let first = true;
    const check = new ForwardCheck(
      () => {
        if (!first) return new Promise(() => undefined);
        first = false;
        return Promise.resolve({ status: 403, reason: 'Forward not followed - not a colleague' });
      },
      () => undefined,
    );
    await check.refresh('dave');
    expect(await check.atCall('dave', true, 20)).toEqual({ forward: false, why: 'the PBX refuses that target' });
  });
});
