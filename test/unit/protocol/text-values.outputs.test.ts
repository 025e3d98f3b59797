import ical, { type VEvent } from 'node-ical';
import { Grammar } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { toVcard } from '../../../electron/core/store/import/vcard-export.js';
import { findUnsafeText, findUnstorable, type Contact } from '../../../protocol/index.js';
import { buildPidf, parsePidf } from '../../../renderer/src/lib/presence/pidf.js';
import { sipDisplayName } from '../../../renderer/src/lib/phone/sip-uri.js';
import type { FeedAppointment } from '../../../server/calendar/appointments.js';
import { renderFeed } from '../../../server/calendar/feed.js';

/**
 * Documents built from values that came from elsewhere (a peer's older app, the directory) hold no
 * character their format cannot carry — one would spoil the whole document — and every other
 * character comes through exactly.
 */
const HOSTILE = 'Di\u0000 8\u0001–12\u001b \ud800😀\udc00\u007f';
const CLEAN = 'Di 8–12 😀';
// Characters every format carries, the ones with escapes included.
const TRICKY = 'Grüße; a,b \\ "q" <x> & 𝄞\nzweite Zeile\t ';
/** Nothing the app's write path would refuse: what the format cannot carry. */
const carriable = (document: string) => findUnsafeText(document) === undefined;

/** RFC 6350 §3.2/§3.4: unfold, then unescape one property's value. */
function vcardValue(card: string, name: string): string | undefined {
  const line = card
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .find((l) => l.startsWith(`${name}:`));
  return line?.slice(name.length + 1).replace(/\\([\\,;nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

const contact = (name: string, notes: string): Contact => ({
  id: '0b7c1c9e-5d0e-4b8e-9a53-2f4c1f0f6a11',
  tenant: 'tischlerei',
  name,
  company: null,
  email: null,
  street: null,
  postal_code: null,
  city: null,
  notes,
  phones: [],
  created_at: '2026-12-01T10:00:00.000Z',
  updated_at: '2026-12-01T10:00:00.000Z',
});

const appointment = (text: string): FeedAppointment => ({
  id: '11111111-1111-4111-8111-111111111111',
  startsAt: '2026-12-01T09:00:00.000Z',
  endsAt: null,
  place: text,
  subject: text,
  notes: text,
  status: 'planned',
  deleted: false,
  contactName: null,
  seq: 1n,
  modifiedMs: 0,
});

function event(ics: string): VEvent {
  return Object.values(ical.sync.parseICS(ics)).find((c): c is VEvent => c?.type === 'VEVENT')!;
}

describe('documents built from stored text', () => {
  it('vCard export: drops controls and broken surrogates, carries the rest exactly', () => {
    const card = toVcard(contact(HOSTILE, TRICKY));
    expect(carriable(card)).toBe(true);
    expect(vcardValue(card, 'FN')).toBe(CLEAN);
    expect(vcardValue(card, 'NOTE')).toBe(TRICKY);
  });

  it('iCalendar feed: drops controls and broken surrogates, carries the rest exactly', () => {
    const hostile = renderFeed(`Firma ${HOSTILE}`, [appointment(HOSTILE)]);
    expect(carriable(hostile)).toBe(true);
    expect(event(hostile)).toMatchObject({ summary: CLEAN, location: CLEAN, description: CLEAN });
    expect(event(renderFeed('Firma', [appointment(TRICKY)]))).toMatchObject({
      summary: TRICKY,
      location: TRICKY,
      description: TRICKY,
    });
  });

  it('PIDF: a note with characters XML cannot carry is still a document the presence server accepts', () => {
    const body = buildPidf({ entity: 'sip:anna@localhost', instance: 'a1', status: 'away', note: HOSTILE, at: new Date() });
    expect(findUnstorable(body)).toBeUndefined();
    expect(findUnsafeText(body.split('\u007f').join(''))).toBeUndefined();
    // DEL is allowed in XML 1.0
    expect(body).toContain('<note>Away; Di 8–12 😀\u007f</note>');
    expect(parsePidf(body)).toBe('away');
  });

  it('SIP display name: a name can never end the header or open another one', () => {
    const name = sipDisplayName('Anna "die Erste" \\ A\r\nVia: SIP/2.0/WSS evil\u0000');
    expect(findUnsafeText(name)).toBeUndefined();
    expect(name).not.toMatch(/[\r\n]/);
    const header = Grammar.nameAddrHeaderParse(`"${name}" <sip:anna@localhost>;tag=x`);
    // sip.js keeps the quoted-pairs as they are: the whole name is the display name, nothing spills over
    expect(name).toBe('Anna \\"die Erste\\" \\\\ A Via: SIP/2.0/WSS evil');
    expect(header?.displayName).toBe(name);
    expect(header?.uri.toString()).toBe('sip:anna@localhost');
    expect(sipDisplayName('Anna Albers')).toBe('Anna Albers');
  });
});
