import { UserAgent } from 'sip.js';
import { sleep } from './timers.js';
import { userUri } from './sip-uri.js';

/**
 * Whether the PBX follows our DND 302 to a target (docs/pbx.md, rule 8). The PBX alone knows its
 * policy (colleagues of a shared firm, dialable numbers, whether a trunk exists), so the app asks it
 * instead of guessing: a forward the PBX would refuse is answered 486 and recorded as busy, and
 * Settings says so, rather than a "forwarded" row for a caller who heard busy.
 */
export type ForwardVerdict = 'followed' | 'refused' | 'unknown';

/**
 * Why the PBX refuses, from its reason phrase; `other` for anything it did not name. `not_registered`
 * (a colleague whose phone is not registered right now) is the only one that changes by itself: it
 * holds for the moment it was asked, never for the next call.
 */
export type ForwardRefusal = 'not_colleague' | 'not_registered' | 'barred' | 'no_trunk' | 'firm_number' | 'other';

export interface ForwardCheckView {
  /** The normalised target the verdict is for (`bob`, `+491701234567`). */
  target: string;
  verdict: ForwardVerdict;
  refusal?: ForwardRefusal;
}

export interface PbxAnswer {
  status: number;
  reason: string;
}

const CHECK_TIMEOUT_MS = 5000;

/**
 * How long an incoming call waits for the PBX's word on a colleague target before the 302 goes out
 * anyway: the caller waits this long without ringing, as for the caller lookup (≤ 400 ms), and an
 * answer from a PBX on the same WebSocket takes milliseconds.
 */
export const CALL_CHECK_MS = 500;

/** Set by the reference PBX on an INVITE it sends on after following a forward (and stripped from any other). */
export const FORWARDED_BY = 'X-Vermittlung-Forwarded-By';

/** The reference PBX answers `403 Forward not followed - <why>` (route[FORWARD_CHECK]). */
export function verdictOf(answer: PbxAnswer | undefined): Pick<ForwardCheckView, 'verdict' | 'refusal'> {
  if (!answer) return { verdict: 'unknown' };
  if (answer.status >= 200 && answer.status < 300) return { verdict: 'followed' };
  if (answer.status !== 403) return { verdict: 'unknown' };
  const why = answer.reason.toLowerCase();
  const refusal: ForwardRefusal = why.includes('colleague')
    ? 'not_colleague'
    : why.includes('not registered')
      ? 'not_registered'
      : why.includes('not allowed')
        ? 'barred'
        : why.includes('trunk')
          ? 'no_trunk'
          : why.includes('firm number')
            ? 'firm_number'
            : 'other';
  return { verdict: 'refused', refusal };
}

/**
 * `OPTIONS sip:TARGET@DOMAIN` with `X-Vermittlung-Check: dnd-forward`: the PBX answers for itself and
 * relays nothing. A PBX without the check (another provider's) answers something else or nothing:
 * undefined after 5 s, and the verdict stays unknown.
 */
export function askPbx(ua: UserAgent, domain: string, target: string): Promise<PbxAnswer | undefined> {
  return new Promise((resolve) => {
    const uri = UserAgent.makeURI(userUri(target, domain));
    if (!uri) return resolve(undefined);
    const timer = setTimeout(() => resolve(undefined), CHECK_TIMEOUT_MS);
    const done = (answer: PbxAnswer) => {
      clearTimeout(timer);
      resolve(answer);
    };
    const core = ua.userAgentCore;
    const message = core.makeOutgoingRequestMessage('OPTIONS', uri, ua.configuration.uri, uri, {}, [
      'X-Vermittlung-Check: dnd-forward',
    ]);
    core.request(message, {
      onAccept: (response) => done({ status: response.message.statusCode ?? 200, reason: response.message.reasonPhrase ?? '' }),
      onReject: (response) => done({ status: response.message.statusCode ?? 0, reason: response.message.reasonPhrase ?? '' }),
    });
  });
}

/** What an incoming call does with the DND forward: send the 302, or answer 486 itself (and why). */
export type ForwardAtCall = { forward: true } | { forward: false; why: string };

/**
 * The last verdict for the current target; asks again when the target changes, on `refresh(…, true)`,
 * and whenever the last answer was "not registered".
 */
export class ForwardCheck {
  view: ForwardCheckView | undefined;
  private asked = 0;

  constructor(
    private readonly ask: (target: string) => Promise<PbxAnswer | undefined>,
    private readonly changed: () => void,
  ) {}

  /**
   * `target` undefined: no forward configured, nothing to check. True when this question's answer is
   * the view now (not overtaken by a newer one, not skipped).
   */
  async refresh(target: string | undefined, again = false): Promise<boolean> {
    if (!target) {
      this.asked++;
      this.view = undefined;
      this.changed();
      return false;
    }
    if (!again && this.view?.target === target && this.view.refusal !== 'not_registered') return false;
    const ticket = ++this.asked;
    if (this.view?.target !== target) this.view = { target, verdict: 'unknown' };
    const answer = await this.ask(target).catch(() => undefined);
    // A newer question (another target typed meanwhile) wins over a late answer.
    if (ticket !== this.asked) return false;
    this.view = { target, ...verdictOf(answer) };
    this.changed();
    return true;
  }

  /**
   * True only when the PBX said no to exactly this target for a reason that lasts: unknown is no
   * reason to refuse a caller, and "not registered" may have changed since.
   */
  refuses(target: string): boolean {
    return this.view?.target === target && this.view.verdict === 'refused' && this.view.refusal !== 'not_registered';
  }

  /**
   * An incoming call on DND-forward: a colleague (or a target last reported not registered) may have
   * come or gone since the last check, so the PBX is asked now, for at most `budgetMs`. Its answer in
   * time decides (and Settings shows it); without one the last lasting verdict does, and a target not
   * refused for good is forwarded as before: the caller is never left waiting longer.
   */
  async atCall(target: string, colleague: boolean, budgetMs = CALL_CHECK_MS): Promise<ForwardAtCall> {
    const askNow = colleague || (this.view?.target === target && this.view.refusal === 'not_registered');
    if (askNow) {
      const asked = this.refresh(target, true).then((answered) => (answered ? this.view : undefined));
      const fresh = await Promise.race([asked, sleep(budgetMs).then(() => undefined)]);
      if (fresh?.verdict === 'refused')
        return { forward: false, why: `the PBX refuses ${target} now (${fresh.refusal ?? 'other'})` };
      if (fresh) return { forward: true };
    }
    return this.refuses(target) ? { forward: false, why: 'the PBX refuses that target' } : { forward: true };
  }
}
