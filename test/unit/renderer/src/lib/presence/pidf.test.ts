import { describe, expect, it } from 'vitest';
import {
  buildPidf,
  dialogActivity,
  parseDialogInfo,
  parsePidf,
  readDialogInfo,
} from '../../../../../../renderer/src/lib/presence/pidf.js';
import { effectiveStatus, peerState, type Published } from '../../../../../../renderer/src/lib/presence/types.js';

describe('PIDF', () => {
  const doc = (status: Published, at: string, instance = 'a1', note?: string) =>
    buildPidf({ entity: 'sip:alice@localhost', instance, status, note, at: new Date(at) });

  it('round-trips every published status', () => {
    for (const status of ['available', 'away', 'dnd', 'busy', 'wrapup', 'offline'] as const) {
      expect(parsePidf(doc(status, '2026-11-27T08:00:00Z'))).toBe(status);
    }
  });

  it('says "Nacharbeit" with an RPID extension activity, which an "other" activity of another phone is not', () => {
    expect(doc('wrapup', '2026-11-27T08:00:00Z')).toContain(
      '<rpid:activities><rpid:other>after-call-work</rpid:other></rpid:activities>',
    );
    const foreign = doc('wrapup', '2026-11-27T08:00:00Z').replace('after-call-work', 'Mittagspause');
    expect(parsePidf(foreign)).toBe('available');
  });

  it('names tuple and person by instance and stamps both with the time the status was set', () => {
    const body = doc('away', '2026-11-27T08:00:00.123Z', 'f00d');
    expect(body).toContain('<tuple id="t-f00d">');
    expect(body).toContain('<dm:person id="p-f00d">');
    expect(body.match(/timestamp>2026-11-27T08:00:00.123Z</g)).toHaveLength(2);
  });

  // What Kamailio's presence_xml sends when it holds two documents of one person with different
  // tuple ids: the children of both under one <presence>, in no particular order.
  const merged = (...bodies: string[]) => {
    const children = bodies.map((body) => body.slice(body.indexOf('<tuple'), body.lastIndexOf('</presence>')));
    return `<?xml version="1.0"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@localhost">${children.join('\n')}</presence>`;
  };

  it('of several documents (a crashed app left one behind) the newest decides, in either order', () => {
    const stale = doc('dnd', '2026-11-27T08:00:00Z', 'dead');
    for (const status of ['available', 'away', 'busy', 'offline', 'dnd'] as const) {
      const current = doc(status, '2026-11-27T08:05:00Z', 'live');
      expect(parsePidf(merged(stale, current))).toBe(status);
      expect(parsePidf(merged(current, stale))).toBe(status);
    }
    // The crashed app's "available" must not keep a person shown as there who went offline.
    expect(parsePidf(merged(doc('available', '2026-11-27T08:00:00Z', 'dead'), doc('offline', '2026-11-27T09:00:00Z')))).toBe(
      'offline',
    );
  });

  it('a withdrawn document (Kamailio turns it into a closed tuple without timestamp) does not hide the live one', () => {
    const withdrawn = '<tuple id="t-gone"><status><basic>closed</basic></status></tuple>';
    const live = doc('away', '2026-11-27T08:05:00Z', 'live');
    expect(parsePidf(merged(live).replace('</presence>', `${withdrawn}</presence>`))).toBe('away');
    expect(parsePidf(`<presence>${withdrawn}</presence>`)).toBe('offline');
  });

  it('documents without timestamps (other phones): any open tuple and any activity count, as before', () => {
    const body =
      '<presence><tuple id="1"><status><basic>closed</basic></status></tuple><tuple id="2"><status><basic>open</basic></status></tuple><person><activities><away/></activities></person></presence>';
    expect(parsePidf(body)).toBe('away');
    // A stamped tuple with an unstamped person still reads the person's activities.
    expect(
      parsePidf(
        '<presence><tuple id="1"><status><basic>open</basic></status><timestamp>2026-11-27T08:00:00Z</timestamp></tuple><person><activities><on-the-phone/></activities></person></presence>',
      ),
    ).toBe('busy');
  });

  it('a body too large to be one person’s presence, or an unreadable timestamp, is handled without a guess', () => {
    expect(parsePidf(`<presence>${'<tuple id="x">'.repeat(10_000)}</presence>`)).toBe('unknown');
    expect(
      parsePidf(
        '<presence><tuple id="1"><status><basic>open</basic></status><timestamp>yesterday</timestamp></tuple></presence>',
      ),
    ).toBe('available');
  });

  it('escapes the entity, the instance and the note', () => {
    const body = buildPidf({
      entity: 'sip:a"<b>@x',
      instance: '"x"',
      status: 'away',
      note: 'Sprechzeiten <Di 8-10> & Do',
      at: new Date('2026-11-27T08:00:00Z'),
    });
    expect(body).toContain('id="t-&quot;x&quot;"');
    expect(body).toContain('entity="sip:a&quot;&lt;b&gt;@x"');
    expect(body).toContain('Sprechzeiten &lt;Di 8-10&gt; &amp; Do');
    expect(parsePidf(body)).toBe('away');
  });

  it('reads other phones and Kamailio: empty body or closed is offline, garbage is unknown', () => {
    expect(parsePidf(undefined)).toBe('offline');
    expect(parsePidf('')).toBe('offline');
    expect(parsePidf('not xml at all')).toBe('unknown');
    const open = (extra = '') =>
      `<?xml version="1.0"?><p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" entity="sip:b@x"><p:tuple id="1"><p:status><p:basic>open</p:basic></p:status></p:tuple>${extra}</p:presence>`;
    expect(parsePidf(open())).toBe('available');
    expect(parsePidf(open('<dm:person><rpid:activities><rpid:on-the-phone/></rpid:activities></dm:person>'))).toBe('busy');
    expect(parsePidf(open('<person><activities><vacation /></activities></person>'))).toBe('away');
    expect(parsePidf(open().replace('open', 'closed'))).toBe('offline');
  });

  it('reads dialog-info states', () => {
    expect(parseDialogInfo('<dialog-info><dialog id="1"><state>early</state></dialog></dialog-info>')).toBe('ringing');
    expect(parseDialogInfo('<dialog-info><dialog id="1"><state>confirmed</state></dialog></dialog-info>')).toBe('busy');
    expect(parseDialogInfo('<dialog-info><dialog id="1"><state>terminated</state></dialog></dialog-info>')).toBeUndefined();
    expect(parseDialogInfo(undefined)).toBeUndefined();
  });

  it('reads what pua_dialoginfo/presence_dialoginfo send: ringing for the callee, busy for the caller', () => {
    const doc = (...dialogs: string[]) =>
      `<?xml version="1.0"?>\n<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="full" entity="sip:alice@localhost">${dialogs.join('')}</dialog-info>`;
    const dialog = (direction: string, state: string) =>
      `<dialog id="c${state}" call-id="x@y" local-tag="a" remote-tag="b" direction="${direction}"><state>${state}</state><local><identity display="alice">sip:alice@localhost</identity><target uri="sip:alice@localhost"/></local><remote><identity>sip:carol@localhost</identity></remote></dialog>`;
    expect(parseDialogInfo(doc(dialog('recipient', 'early')))).toBe('ringing');
    expect(parseDialogInfo(doc(dialog('initiator', 'early')))).toBe('busy');
    expect(parseDialogInfo(doc(dialog('initiator', 'trying')))).toBe('busy');
    expect(parseDialogInfo(doc(dialog('recipient', 'confirmed')))).toBe('busy');
    // A second call ringing while talking: still in a call.
    expect(parseDialogInfo(doc(dialog('recipient', 'confirmed'), dialog('recipient', 'early')))).toBe('busy');
    expect(parseDialogInfo(doc(dialog('recipient', 'terminated')))).toBeUndefined();
    // Kamailio's NOTIFY when nobody published (empty body or a document without dialogs).
    expect(parseDialogInfo('')).toBeUndefined();
    expect(parseDialogInfo(doc())).toBeUndefined();
    // Prefixed namespace, single quotes.
    expect(
      parseDialogInfo(
        "<d:dialog-info xmlns:d='urn:ietf:params:xml:ns:dialog-info'><d:dialog id='1' direction='recipient'><d:state event='x'> early </d:state></d:dialog></d:dialog-info>",
      ),
    ).toBe('ringing');
  });

  it('a dialog once terminated stays over: stale early/confirmed copies of it are ignored', () => {
    const dialog = (id: string, state: string) =>
      `<dialog id="${id}" call-id="other" direction="recipient"><state>${state}</state></dialog>`;
    const doc = (...dialogs: string[]) =>
      `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info">${dialogs.join('')}</dialog-info>`;
    // pua published "terminated" anew while the "early" copy still sits on the presence server.
    expect(readDialogInfo(doc(dialog('c1', 'early')))).toEqual([{ id: 'c1', state: 'early', direction: 'recipient' }]);
    expect(dialogActivity(readDialogInfo(doc(dialog('c1', 'early'), dialog('c1', 'terminated'))))).toBeUndefined();
    expect(dialogActivity(readDialogInfo(doc(dialog('c1', 'confirmed'), dialog('c1', 'terminated'))))).toBeUndefined();
    // The terminated copy expired first: what the watcher saw terminated before still counts.
    expect(dialogActivity(readDialogInfo(doc(dialog('c1', 'early'))), new Set(['c1']))).toBeUndefined();
    expect(dialogActivity(readDialogInfo(doc(dialog('c1', 'early'), dialog('c2', 'early'))), new Set(['c1']))).toBe('ringing');
  });

  it('never throws on malformed, truncated, oversized or hostile dialog-info', () => {
    const malformed = [
      'not xml at all',
      '<dialog-info',
      '<dialog-info><dialog id="1"><state>early',
      '<dialog-info><dialog id="1"><state></state></dialog></dialog-info>',
      '<dialog-info><dialog><dialog><dialog>',
      '<dialog-info><dialog id="1" direction=><state>confirmed<state></dialog>',
      '<dialog-info>\u0000\uffff<dialog id="\u00e4"><state>\u00e4rly</state></dialog></dialog-info>',
      '<presence><dialog id="1"><state>confirmed</state></dialog></presence>',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "confirmed">]><dialog-info><dialog><state>&a;</state></dialog></dialog-info>',
    ];
    for (const body of malformed) expect(() => parseDialogInfo(body)).not.toThrow();
    expect(parseDialogInfo(malformed[0])).toBeUndefined();
    expect(parseDialogInfo(malformed[7])).toBeUndefined();
    expect(parseDialogInfo(malformed[8])).toBeUndefined();
    // Truncated in the middle of a confirmed dialog: what is readable still counts.
    expect(parseDialogInfo('<dialog-info><dialog id="1"><state>confirmed</st')).toBe('busy');
    // Oversized: refused unread.
    expect(
      parseDialogInfo(`<dialog-info>${'<dialog id="1"><state>early</state></dialog>'.repeat(2000)}</dialog-info>`),
    ).toBeUndefined();
    expect(parseDialogInfo(`<dialog-info>${'<dialog <state '.repeat(2000)}`)).toBeUndefined();
  });
});

describe('team entry', () => {
  it('a live call the PBX reports wins over the published status; without one the PIDF decides', () => {
    expect(peerState('available', 'ringing')).toBe('ringing');
    expect(peerState('offline', 'busy')).toBe('busy');
    expect(peerState('dnd', 'busy')).toBe('busy');
    expect(peerState('away', undefined)).toBe('away');
    expect(peerState('unknown', undefined)).toBe('unknown');
  });
});

describe('effective status', () => {
  it('offline and DND win, a call beats away, idle only turns available into away', () => {
    expect(effectiveStatus('dnd', true, true)).toBe('dnd');
    expect(effectiveStatus('offline', true, false)).toBe('offline');
    expect(effectiveStatus('available', true, true)).toBe('busy');
    expect(effectiveStatus('away', true, false)).toBe('busy');
    expect(effectiveStatus('available', false, true)).toBe('away');
    expect(effectiveStatus('available', false, false)).toBe('available');
    // "Nacharbeit": after a call, until its note is saved; a new call and the explicit wishes win.
    expect(effectiveStatus('available', false, true, true)).toBe('wrapup');
    expect(effectiveStatus('away', false, false, true)).toBe('wrapup');
    expect(effectiveStatus('available', true, false, true)).toBe('busy');
    expect(effectiveStatus('dnd', false, false, true)).toBe('dnd');
  });
});
