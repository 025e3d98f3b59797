import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { smtpSettingsFromFlags } from '../../../../server/smtp/smtp-settings.js';

describe('the SMTP relay from the server flags', () => {
  it('is off without a host, also when the packaged unit passes every flag empty', () => {
    expect(smtpSettingsFromFlags({})).toBeUndefined();
    expect(
      smtpSettingsFromFlags({ 'smtp-host': '', 'smtp-port': '', 'smtp-tls': 'starttls', 'smtp-from': '', 'smtp-user': '' }),
    ).toBeUndefined();
  });

  it('takes the port from the TLS mode, the password only from the environment, and the CA from a file', () => {
    expect(smtpSettingsFromFlags({ 'smtp-host': 'relay.buero.example', 'smtp-from': 'post@buero.example' })).toEqual({
      host: 'relay.buero.example',
      port: 587,
      from: 'post@buero.example',
      tls: 'starttls',
    });
    const dir = mkdtempSync(join(tmpdir(), 'vermittlung-smtp-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), 'PEM');
      expect(
        smtpSettingsFromFlags(
          {
            'smtp-host': 'relay',
            'smtp-from': 'post@buero.example',
            'smtp-tls': 'implicit',
            'smtp-user': 'buero',
            'smtp-ca': join(dir, 'ca.pem'),
          },
          { VERMITTLUNG_SMTP_PASSWORD: 'geheim' },
        ),
      ).toEqual({
        host: 'relay',
        port: 465,
        from: 'post@buero.example',
        tls: 'implicit',
        user: 'buero',
        password: 'geheim',
        ca: 'PEM',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the flag that is wrong', () => {
    const base = { 'smtp-host': 'relay', 'smtp-from': 'post@buero.example' };
    expect(() => smtpSettingsFromFlags({ ...base, 'smtp-tls': 'ssl' })).toThrow('--smtp-tls must be implicit, starttls or none');
    expect(() => smtpSettingsFromFlags({ ...base, 'smtp-port': '70000' })).toThrow('--smtp-port must be 1..65535');
    expect(() => smtpSettingsFromFlags({ 'smtp-host': 'relay' })).toThrow('--smtp-from is required');
    expect(() => smtpSettingsFromFlags({ 'smtp-from': 'post@buero.example' })).toThrow('--smtp-from needs --smtp-host');
    expect(() => smtpSettingsFromFlags({ ...base, 'smtp-ca': '/nicht/da.pem' })).toThrow('--smtp-ca: cannot read /nicht/da.pem');
  });
});
