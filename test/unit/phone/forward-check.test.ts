import { describe, expect, it } from 'vitest';
import { ForwardCheck, verdictOf, type PbxAnswer } from '../../../renderer/src/lib/phone/forward-check.js';

describe("the PBX's verdict on a DND forward target", () => {
  it("reads 200 as followed and the reference PBX's 403 reasons as refusals", () => {
    expect(verdictOf({ status: 200, reason: 'Forward followed' })).toEqual({ verdict: 'followed' });
    const refusal = (reason: string) => verdictOf({ status: 403, reason: `Forward not followed - ${reason}` }).refusal;
    expect(refusal('not a colleague')).toBe('not_colleague');
    expect(refusal('number not allowed')).toBe('barred');
    expect(refusal('no trunk')).toBe('no_trunk');
    expect(refusal('a firm number of this PBX')).toBe('firm_number');
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
});
