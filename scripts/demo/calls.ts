/**
 * Which customer calls: for each firm, its regular customers in turn (their numbers are in the
 * firm's contacts, so the card shows the name and earlier notes) or an outside number nobody knows.
 * Keeps every call of the run, so the control page can list them and Ctrl-C can hang them up.
 */
import { join } from 'node:path';
import { demoContacts, unknownNumber, type RegularCustomer } from './contacts.js';
import type { ControlAction, CallerKind } from './control.js';
import { placeCall, type CustomerCall, type CustomerOptions } from './customer.js';
import { FIRMS, firm as firmById } from './office.js';
import { customerVoice } from './speech.js';

export const CONTROL_ACTIONS: ControlAction[] = [
  ...FIRMS.map((f, i) => ({ key: String(i + 1), label: `Kunde ruft die ${f.label} an`, firm: f.id, caller: 'known' as const })),
  {
    key: String(FIRMS.length + 1),
    label: `Unbekannte Nummer ruft die ${FIRMS[0]!.label} an`,
    firm: FIRMS[0]!.id,
    caller: 'unknown',
  },
];

export class Calls {
  private readonly all: CustomerCall[] = [];
  private readonly regulars: Map<string, RegularCustomer[]>;
  private readonly turns = new Map<string, number>();
  private next = 1;

  constructor(
    private readonly speechDir: string,
    private readonly options: Omit<CustomerOptions, 'onChange'> & { onChange?: (call: CustomerCall) => void },
  ) {
    this.regulars = new Map([...demoContacts(FIRMS)].map(([id, c]) => [id, c.regulars]));
  }

  /** The firm's customer voice, made once per demo home (espeak-ng). */
  voice(firmId: string): string {
    const firm = firmById(firmId);
    return customerVoice(join(this.speechDir, `${firm.id}.wav`), firm.customerSays);
  }

  async place(firmId: string, caller: CallerKind): Promise<CustomerCall> {
    const firm = firmById(firmId);
    const id = this.next++;
    const turn = this.turns.get(firmId) ?? 0;
    this.turns.set(firmId, turn + 1);
    const regulars = this.regulars.get(firmId) ?? [];
    const regular = caller === 'known' ? regulars[turn % regulars.length] : undefined;
    const call = await placeCall(
      {
        id,
        firmId,
        firmName: firm.name,
        dial: firm.number,
        from: regular?.number ?? unknownNumber(id),
        knownAs: regular?.name ?? null,
        voice: this.voice(firmId),
      },
      this.options,
    );
    this.all.push(call);
    return call;
  }

  list(): CustomerCall[] {
    return [...this.all];
  }

  live(): CustomerCall[] {
    return this.all.filter((c) => c.state !== 'ended');
  }

  async hangupAll(reason = 'Kunde hat aufgelegt'): Promise<void> {
    await Promise.all(this.live().map((c) => c.hangup(reason)));
  }
}
