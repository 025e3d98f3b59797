/**
 * Who is in the demo office: three firms in three Bundesländer, the people who answer for them, and
 * what their customers say on the phone. Plain data, so the set-up, the customer and the tests agree.
 */

export interface DemoFirm {
  id: string;
  name: string;
  /** The number customers dial (E.164); the PBX finds the firm by it. */
  number: string;
  mobile: string;
  greeting: string;
  bundesland: string;
  /** `tenant hours --day` values: the craftsman's own consultation hours (Sprechstunde). */
  hours: string[];
  /** `tenant contract` options: how the office bills this firm (docs/billing.md). */
  contract: string[];
  /** Landline area code of the firm's town, for its customers' numbers. */
  areaCode: string;
  /** Roughly how many of the ~1,000 demo contacts are this firm's customers. */
  contacts: number;
  /** What a customer of this firm says (espeak-ng, German). */
  customerSays: string;
  /** The label on the control page and in the terminal. */
  label: string;
}

export const FIRMS: readonly DemoFirm[] = [
  {
    id: 'tischlerei',
    name: 'Tischlerei Holzwurm',
    number: '+493012345670',
    mobile: '+491701234567',
    greeting: 'Tischlerei Holzwurm, guten Tag! Was kann ich für Sie tun?',
    bundesland: 'BE',
    hours: ['Di 08:00-10:00', 'Do 16:00-18:00'],
    contract: [
      '--model',
      'budget',
      '--period',
      'month',
      '--included-minutes',
      '120',
      '--fee',
      '99,00',
      '--extra-minute',
      '1,20',
      '--takt',
      '60/60',
      '--alert-craftsman',
    ],
    areaCode: '30',
    contacts: 400,
    customerSays:
      'Guten Tag, hier spricht eine Kundin. Ich hätte gern einen Termin zum Ausmessen für eine neue Küchenarbeitsplatte. ' +
      'Am besten nächste Woche am Vormittag. Können Sie mich bitte zurückrufen? Vielen Dank!',
    label: 'Tischlerei',
  },
  {
    id: 'sanitaer',
    name: 'Sanitär Huber',
    number: '+498912345670',
    mobile: '+491711234567',
    greeting: 'Sanitär Huber, grüß Gott! Wie kann ich helfen?',
    bundesland: 'BY',
    hours: ['Mo 07:00-09:00', 'Mi 07:00-09:00'],
    contract: ['--model', 'per_call', '--per-call', '1,50', '--takt', '30/30', '--free-below', '10'],
    areaCode: '89',
    contacts: 300,
    customerSays:
      'Grüß Gott, bei uns tropft der Wasserhahn in der Küche, und die Heizung im Bad bleibt kalt. ' +
      'Kann diese Woche noch jemand vorbeikommen? Ich bin ab drei Uhr zu Hause.',
    label: 'Sanitärfirma',
  },
  {
    id: 'elektro',
    name: 'Elektro Petersen',
    number: '+494012345670',
    mobile: '+491721234567',
    greeting: 'Elektro Petersen, moin! Was kann ich für Sie tun?',
    bundesland: 'HH',
    hours: ['Fr 12:00-14:00'],
    contract: ['--model', 'per_minute', '--per-minute', '0,95', '--takt', '60/10', '--appointment', '2,50'],
    areaCode: '40',
    contacts: 300,
    customerSays:
      'Moin, bei uns fliegt ständig die Sicherung raus, sobald der Wasserkocher läuft. ' +
      'Wann hätten Sie Zeit, sich das anzusehen? Es eilt ein bisschen.',
    label: 'Elektrofirma',
  },
];

export type DemoRole = 'teleworker' | 'craftsman' | 'lead';

export interface DemoPerson {
  id: string;
  name: string;
  role: DemoRole;
  /** The firms given with `user add --tenant` (none for the lead: she serves every firm). */
  tenants: string[];
  /** The desks the demo opens; the lead's profile is set up and served, but not opened. */
  open: boolean;
  /** How the terminal and the control page name this desk. */
  desk: string;
}

export const PEOPLE: readonly DemoPerson[] = [
  {
    id: 'anna',
    name: 'Anna Schmidt',
    role: 'teleworker',
    tenants: FIRMS.map((f) => f.id),
    open: true,
    desk: 'Telearbeiterin Anna Schmidt (alle drei Firmen)',
  },
  { id: 'max', name: 'Max Holzwurm', role: 'craftsman', tenants: ['tischlerei'], open: true, desk: 'Tischler Max Holzwurm' },
  { id: 'birgit', name: 'Birgit Lehmann', role: 'lead', tenants: [], open: false, desk: 'Büroleitung Birgit Lehmann' },
];

export function firm(id: string): DemoFirm {
  const found = FIRMS.find((f) => f.id === id);
  if (!found) throw new Error(`no demo firm "${id}"`);
  return found;
}
