import { describe, expect, it } from 'vitest';
import { buildPidf, parseDialogInfo, parsePidf } from '../../../renderer/src/lib/presence/pidf.js';
import { effectiveStatus } from '../../../renderer/src/lib/presence/types.js';

describe('PIDF', () => {
  it('round-trips every published status', () => {
    for (const status of ['available', 'away', 'dnd', 'busy', 'offline'] as const) {
      expect(parsePidf(buildPidf('sip:alice@localhost', status))).toBe(status);
    }
  });

  it('escapes the entity and the note', () => {
    const body = buildPidf('sip:a"<b>@x', 'away', 'Sprechzeiten <Di 8-10> & Do');
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
});

describe('effective status', () => {
  it('offline and DND win, a call beats away, idle only turns available into away', () => {
    expect(effectiveStatus('dnd', true, true)).toBe('dnd');
    expect(effectiveStatus('offline', true, false)).toBe('offline');
    expect(effectiveStatus('available', true, true)).toBe('busy');
    expect(effectiveStatus('away', true, false)).toBe('busy');
    expect(effectiveStatus('available', false, true)).toBe('away');
    expect(effectiveStatus('available', false, false)).toBe('available');
  });
});
