import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { OwnChoice } from '../../renderer/src/lib/presence/types.js';
import { CHAOS_TENANT, pause, until } from './chaos-faults.js';
import type { ChaosRig } from './chaos-rig.js';
import { TENANT_NUMBER, hangupAll, lineIn, type PhoneTest } from './phone-rig.js';

declare const window: { phoneTest: PhoneTest };

/**
 * The phone side of the chaos suite's office day: calls from outside and between the two apps, each
 * with its note, and the apps' presence. It counts what it did, which the history and presence
 * checks afterwards hold the apps to.
 */
export class ChaosPhones {
  /** Calls answered from outside (by the first app) and between the apps (first calls second). */
  outside = 0;
  internal = 0;
  private readonly choices = new Map<string, OwnChoice>();

  constructor(private readonly rig: ChaosRig) {}

  private get users(): string[] {
    return Object.keys(this.rig.phone?.pages ?? {});
  }

  private page(user: string): Page {
    return this.rig.phone!.pages[user]!;
  }

  /** The outside caller rings the firm; the first app answers, its user takes a note while it runs and saves it. */
  async outsideCall(): Promise<void> {
    const phone = this.rig.phone;
    if (!phone) return;
    const [answering] = this.users;
    const page = this.page(answering!);
    const mark = phone.caller.events.length;
    await phone.caller.command('dial', `sip:${TENANT_NUMBER}@${phone.rig.stack.info.sipDomain}`);
    const ringing = await lineIn(page, 'ringing', 10_000);
    await page.evaluate((id) => window.phoneTest.answer(id), ringing.id);
    await lineIn(page, 'connected', 10_000);
    await phone.caller.waitForEvent('CALL_ESTABLISHED', 10_000, mark);
    this.outside++;
    this.note(`Anruf ${this.outside}`, `Rückruf erbeten (${ringing.id})`);
    await hangupAll([page]);
    await phone.caller.waitForEvent('CALL_CLOSED', 8000, mark);
    // The note is saved: "Nacharbeit" ends, as the note editor ends it.
    await page.evaluate(() => window.phoneTest.endWrapUp());
  }

  /** The first app calls the second, which answers; the caller hangs up after a note. */
  async internalCall(): Promise<void> {
    if (!this.rig.phone) return;
    const [from, to] = this.users;
    const [caller, callee] = [this.page(from!), this.page(to!)];
    await caller.evaluate((user) => window.phoneTest.dial(user), to!);
    const ringing = await lineIn(callee, 'ringing', 10_000);
    await callee.evaluate((id) => window.phoneTest.answer(id), ringing.id);
    await lineIn(callee, 'connected', 10_000);
    await lineIn(caller, 'connected', 10_000);
    this.internal++;
    this.note(`Rücksprache ${this.internal}`, `mit ${to}`);
    await hangupAll([caller]);
    await until(
      'the callee sees the internal call end',
      async () => (await callee.evaluate(() => window.phoneTest.lines())).every((l) => l.status === 'ended'),
      8000,
    ).catch(async (error: Error) => {
      // Its user hangs up herself, so one lost BYE is one broken call, not every later round's.
      await hangupAll([callee]);
      throw error;
    });
  }

  private note(subject: string, body: string): void {
    const writer = this.rig.clients[0]!;
    const id = randomUUID();
    writer.store.write('note', id, CHAOS_TENANT, 'subject', subject);
    writer.store.write('note', id, CHAOS_TENANT, 'body', body);
    writer.engine.notifyLocalChange();
  }

  /** Each app's user chooses a status; never "Nicht stören" when `reachable` (a call is about to come). */
  async changePresence(reachable: boolean): Promise<void> {
    const options: OwnChoice[] = reachable ? ['available', 'away'] : ['available', 'away', 'dnd'];
    for (const user of this.users) {
      const choice = options[Math.floor(Math.random() * options.length)]!;
      this.choices.set(user, choice);
      await this.page(user).evaluate((c) => window.phoneTest.setChoice(c), choice);
    }
  }

  async setPresence(choices: Record<string, OwnChoice>): Promise<void> {
    for (const [user, choice] of Object.entries(choices)) {
      this.choices.set(user, choice);
      await this.page(user).evaluate((c) => window.phoneTest.setChoice(c), choice);
    }
  }

  /**
   * Every app publishes its user's last choice (no call, no after-call work left) and shows every
   * colleague's; resolves how long that took, or the mismatches after `timeoutMs`.
   */
  async presenceConverged(timeoutMs: number): Promise<{ ms: number; mismatches: string[] }> {
    const started = Date.now();
    let mismatches: string[] = [];
    for (;;) {
      mismatches = [];
      for (const user of this.users) {
        const want = this.choices.get(user) ?? 'available';
        const own = await this.page(user).evaluate(() => window.phoneTest.presence());
        if (own !== want) mismatches.push(`${user} publishes ${own}, chose ${want}`);
        for (const other of this.users.filter((u) => u !== user)) {
          const shown = (await this.page(other).evaluate(() => window.phoneTest.peers()))[user];
          if (shown !== want) mismatches.push(`${other} shows ${user} as ${shown}, not ${want}`);
        }
      }
      if (mismatches.length === 0 || Date.now() - started > timeoutMs) return { ms: Date.now() - started, mismatches };
      await pause(200);
    }
  }

  /**
   * One history row per participant and call: the first app an incoming row per outside call and an
   * outgoing one per internal call, the second an incoming one per internal call; all answered. The
   * outside caller (baresip) keeps no history.
   */
  async historyViolations(): Promise<string[]> {
    if (!this.rig.phone) return [];
    const [first, second] = this.users;
    const expected: Record<string, Array<{ direction: string; remote: string | RegExp; count: number }>> = {
      [first!]: [
        { direction: 'in', remote: /^\+?\d+$/, count: this.outside },
        { direction: 'out', remote: second!, count: this.internal },
      ],
      [second!]: [{ direction: 'in', remote: first!, count: this.internal }],
    };
    const violations: string[] = [];
    for (const [user, kinds] of Object.entries(expected)) {
      const rows = await this.page(user).evaluate(() => window.phoneTest.calls());
      const total = kinds.reduce((sum, k) => sum + k.count, 0);
      if (rows.length !== total) violations.push(`${user}: ${rows.length} history rows for ${total} calls`);
      for (const kind of kinds) {
        const matching = rows.filter(
          (r) =>
            r.direction === kind.direction &&
            (typeof kind.remote === 'string' ? r.remote_number === kind.remote : kind.remote.test(r.remote_number)),
        );
        if (matching.length !== kind.count)
          violations.push(`${user}: ${matching.length} '${kind.direction}' rows with ${kind.remote}, ${kind.count} calls`);
      }
      const unanswered = rows.filter((r) => r.outcome !== 'answered');
      if (unanswered.length)
        violations.push(`${user}: ${unanswered.length} history rows not 'answered', e.g. ${JSON.stringify(unanswered[0])}`);
    }
    return violations;
  }
}
