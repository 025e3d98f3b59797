import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DialLink } from '../../../../../protocol/index.js';
import { findDialLinkInArgv, MAX_LINK_LENGTH, parseDialLink } from '../../../../../electron/core/links/parse.js';

describe('tel:/sip:/callto: link parsing', () => {
  it('turns tel: numbers with visual separators into a dialable number', () => {
    expect(parseDialLink('tel:+49 30 123')).toEqual({ kind: 'number', number: '+4930123', scheme: 'tel' });
    expect(parseDialLink('tel:+49%2030%20123')).toEqual({ kind: 'number', number: '+4930123', scheme: 'tel' });
    expect(parseDialLink('TEL:(030) 123-45.67')).toEqual({ kind: 'number', number: '0301234567', scheme: 'tel' });
    expect(parseDialLink('tel:+49-30-1234;phone-context=example.org')).toEqual({
      kind: 'number',
      number: '+49301234',
      scheme: 'tel',
    });
    expect(parseDialLink('tel:*100#')).toEqual({ kind: 'number', number: '*100#', scheme: 'tel' });
  });

  it('keeps only user@host[:port] of a sip: URI', () => {
    expect(parseDialLink('sip:alice@example.org')).toEqual({ kind: 'sip', uri: 'sip:alice@example.org', scheme: 'sip' });
    expect(parseDialLink('sip:alice@Example.ORG:5061;transport=tcp?Subject=hi')).toEqual({
      kind: 'sip',
      uri: 'sip:alice@example.org:5061',
      scheme: 'sip',
    });
    expect(parseDialLink('sip:+4930123@pbx.example.org')).toMatchObject({ uri: 'sip:+4930123@pbx.example.org' });
    expect(parseDialLink('sip:bob@[2001:db8::1]:5060')).toMatchObject({ uri: 'sip:bob@[2001:db8::1]:5060' });
  });

  it('reads callto: as a number or a SIP address', () => {
    expect(parseDialLink('callto://0301234')).toEqual({ kind: 'number', number: '0301234', scheme: 'callto' });
    expect(parseDialLink('callto:+49301234/')).toEqual({ kind: 'number', number: '+49301234', scheme: 'callto' });
    expect(parseDialLink('callto://alice@example.org')).toEqual({ kind: 'sip', uri: 'sip:alice@example.org', scheme: 'callto' });
  });

  it('refuses hostile and malformed links', () => {
    const refused = [
      'tel:javascript:alert(1)',
      'tel:javascript%3Aalert(1)',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https://evil.example/tel:123',
      'tel:',
      'tel:1',
      'tel:+49 30 123<script>',
      'tel:%00123456',
      'tel:123%0A456',
      'tel:%E0%A4%A',
      'tel:' + '1'.repeat(33),
      'tel:' + '1'.repeat(MAX_LINK_LENGTH),
      'sip:alice',
      'sip:@example.org',
      'sip:alice@',
      'sip:alice@evil.example:99999',
      'sip:al ice@example.org',
      'sip:alice@exa mple.org',
      'sip:<script>@example.org',
      'sip:alice@-bad-.example',
      'callto:skype.user',
      'callto://',
      'tel:+49\u202e30123',
      '',
    ];
    for (const link of refused) expect(parseDialLink(link), link).toBeNull();
    expect(parseDialLink(42)).toBeNull();
    expect(parseDialLink(undefined)).toBeNull();
  });

  it('never returns anything but a valid DialLink, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `tel:${s}`),
          fc.string().map((s) => `sip:${s}`),
          fc.string().map((s) => `callto:${s}`),
        ),
        (raw) => {
          const link = parseDialLink(raw);
          if (link !== null) expect(DialLink.safeParse(link).success).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('finds the link in a command line and never treats a switch as one', () => {
    expect(findDialLinkInArgv(['C:\\Program Files\\Vermittlung\\Vermittlung.exe', '--allow-file-access', 'tel:0301234'])).toEqual(
      {
        kind: 'number',
        number: '0301234',
        scheme: 'tel',
      },
    );
    expect(findDialLinkInArgv(['/usr/bin/vermittlung', '--inspect=tel:0301234'])).toBeNull();
    expect(findDialLinkInArgv(['/usr/bin/vermittlung', 'tel:javascript:x', 'sip:bob@example.org'])).toMatchObject({
      uri: 'sip:bob@example.org',
    });
    expect(findDialLinkInArgv(['/usr/bin/vermittlung', '--hidden'])).toBeNull();
  });
});
