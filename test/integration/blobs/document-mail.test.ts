import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Directory } from '../../../server/home/directory.js';
import type { SmtpSettings } from '../../../server/smtp/smtp-settings.js';
import { openBlobClient, writeTestPdf, type BlobClient } from '../../helpers/blob-client.js';
import { TEST_DIRECTORY, syncFixture, type SyncClient, type SyncFixture } from '../../helpers/sync-fixture.js';

const work = mkdtempSync(join(tmpdir(), 'vermittlung-docmail-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The tischlerei's craftsman gets forwarded scans by e-mail; the sanitaer has no address. */
const DIRECTORY: Directory = {
  ...TEST_DIRECTORY,
  tenants: TEST_DIRECTORY.tenants.map((t) => (t.id === 'tischlerei' ? { ...t, mailTo: 'carl@tischlerei.example' } : t)),
};

interface Received {
  from: string;
  to: string[];
  raw: string;
  /** The message came over TLS (STARTTLS). */
  secure: boolean;
}

/**
 * A real SMTP server on loopback: without TLS (the relay on the server's own host), or offering
 * STARTTLS with `tls`'s certificate.
 */
async function startSmtp(
  options: { port?: number; tls?: { key: string; cert: string } } = {},
): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: options.tls ? ['AUTH'] : ['STARTTLS', 'AUTH'],
    ...(options.tls ?? {}),
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('latin1'),
          secure: session.secure,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The attachments of a MIME message: filename and decoded bytes (base64 parts, as nodemailer writes them). */
function attachments(raw: string): { filename: string; bytes: Buffer }[] {
  const out: { filename: string; bytes: Buffer }[] = [];
  const boundaries = [...raw.matchAll(/boundary="?([^";\r\n]+)"?/g)].map((m) => m[1]!);
  for (const boundary of boundaries) {
    for (const part of raw.split(`--${boundary}`)) {
      const split = part.indexOf('\r\n\r\n');
      if (split < 0) continue;
      const head = part.slice(0, split);
      if (!/Content-Disposition:\s*attachment/i.test(head)) continue;
      const filename = /filename="?([^";\r\n]+)"?/i.exec(head)?.[1] ?? '';
      const body = part.slice(split + 4).replace(/\s+/g, '');
      out.push({ filename, bytes: Buffer.from(body, 'base64') });
    }
  }
  return out;
}

/** The Subject header, unfolded, its RFC 2047 encoded words (Q or B, UTF-8) decoded. */
function subject(raw: string): string {
  const header = raw.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]/g, ' ');
  const line = /^Subject: (.*)$/m.exec(header)?.[1] ?? '';
  return line.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

let f: SyncFixture | undefined;
let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
const clients: BlobClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await f?.close();
  await smtp?.close();
  f = undefined;
  smtp = undefined;
});

function writeFields(
  client: SyncClient,
  table: Parameters<SyncClient['store']['write']>[0],
  tenant: string,
  id: string,
  fields: Record<string, string>,
): void {
  for (const [field, value] of Object.entries(fields)) client.store.write(table, id, tenant, field, value);
}

function writeItem(client: SyncClient, tenant: string, id: string, fields: Record<string, string>): void {
  writeFields(client, 'mail_item', tenant, id, fields);
}

/** anna's app uploads a scan of `size` bytes for the tischlerei and starts syncing: the scan's bytes, hash and her client. */
async function annaScans(
  fixture: SyncFixture,
  file: string,
  size: number,
): Promise<{ data: Buffer; sha256: string; anna: SyncClient }> {
  const pdf = join(work, file);
  const data = writeTestPdf(pdf, size);
  const blobs = openBlobClient(
    join(work, `anna-${randomUUID()}`),
    () => fixture.url,
    () => fixture.tls('anna'),
  );
  clients.push(blobs);
  const { sha256 } = await blobs.uploader.enqueue(pdf, 'tischlerei');
  expect(await blobs.uploader.drain()).toBe(0);
  const anna = fixture.client('anna');
  anna.engine.start();
  return { data, sha256, anna };
}

describe('e-mail of forwarded scans through an SMTP relay', () => {
  it('sends the craftsman the scan byte-identical once the item is forwarded, once, and only to firms with an address', async () => {
    smtp = await startSmtp();
    f = await syncFixture('pglite', DIRECTORY, {
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'post@buero.example', tls: 'none' },
      documentMailIntervalMs: 200,
    });
    const fixture = f;
    const received = smtp.received;
    const { data, sha256, anna } = await annaScans(fixture, 'mahnung.pdf', 2 * 1024 * 1024);
    const item = randomUUID();
    const doc = randomUUID();
    writeItem(anna, 'tischlerei', item, {
      received_on: '2026-12-07',
      sender: 'Stadtwerke Musterstadt',
      subject: 'Mahnung Stromrechnung',
      deadline: '2026-12-14',
      status: 'gescannt',
    });
    writeFields(anna, 'document', 'tischlerei', doc, {
      blob_sha256: sha256,
      name: 'Mahnung Stadtwerke.pdf',
      mime: 'application/pdf',
      attached_table: 'mail_item',
      attached_id: item,
    });
    await anna.engine.syncNow();
    // Scanned, not yet forwarded: nothing goes out.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(received).toEqual([]);

    writeItem(anna, 'tischlerei', item, { status: 'weitergeleitet' });
    await anna.engine.syncNow();
    await expect.poll(() => received.length, { timeout: 20_000, interval: 100 }).toBe(1);
    const [mail] = received;
    expect(mail!.from).toBe('post@buero.example');
    expect(mail!.to).toEqual(['carl@tischlerei.example']);
    expect(subject(mail!.raw)).toBe('Neue Post für Tischlerei Holz: Mahnung Stromrechnung');
    const files = attachments(mail!.raw);
    expect(files).toHaveLength(1);
    expect(files[0]!.filename).toBe('Mahnung Stadtwerke.pdf');
    expect(files[0]!.bytes.equals(data)).toBe(true);

    // Forwarded again (another change of the item), a restart: still one e-mail per scan.
    writeItem(anna, 'tischlerei', item, { subject: 'Mahnung Stromrechnung (2. Seite folgt)' });
    await anna.engine.syncNow();
    await fixture.restart();
    // The sanitaer has no address: its forwarded scans are not e-mailed.
    const other = randomUUID();
    const otherDoc = randomUUID();
    writeItem(anna, 'sanitaer', other, { status: 'weitergeleitet', subject: 'Rechnung' });
    writeFields(anna, 'document', 'sanitaer', otherDoc, { blob_sha256: sha256, attached_table: 'mail_item', attached_id: other });
    await anna.engine.syncNow();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(received).toHaveLength(1);
    const { rows } = await fixture.server.db.query<{ document_id: string; recipient: string }>(
      'SELECT document_id::text, recipient FROM document_mail',
    );
    expect(rows).toEqual([{ document_id: doc, recipient: 'carl@tischlerei.example' }]);
  }, 300_000);

  it('over STARTTLS, only to a relay whose certificate the configured CA signed', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    // The relay's certificate is the server's own, from the office CA: unknown to the system's CAs.
    const relay: SmtpSettings = { host: '127.0.0.1', port, from: 'post@buero.example', tls: 'starttls' };
    f = await syncFixture('pglite', DIRECTORY, { smtp: relay, documentMailIntervalMs: 200 });
    const fixture = f;
    smtp = await startSmtp({
      port,
      tls: {
        key: readFileSync(fixture.home.layout.serverKey, 'utf8'),
        cert: readFileSync(fixture.home.layout.serverCert, 'utf8'),
      },
    });
    const received = smtp.received;
    const { data, sha256, anna } = await annaScans(fixture, 'gericht.pdf', 300_000);
    const item = randomUUID();
    const doc = randomUUID();
    writeItem(anna, 'tischlerei', item, { subject: 'Ladung', status: 'weitergeleitet' });
    writeFields(anna, 'document', 'tischlerei', doc, {
      blob_sha256: sha256,
      name: 'Ladung.pdf',
      attached_table: 'mail_item',
      attached_id: item,
    });
    await anna.engine.syncNow();
    // Without the office CA the relay is not trusted: nothing is sent, nothing recorded as sent.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(received).toEqual([]);
    expect((await fixture.server.db.query('SELECT 1 FROM document_mail')).rows).toHaveLength(0);

    relay.ca = fixture.home.caPem;
    await fixture.restart();
    await expect.poll(() => received.length, { timeout: 20_000, interval: 100 }).toBe(1);
    expect(received[0]!.secure).toBe(true);
    expect(attachments(received[0]!.raw).map((a) => a.bytes.equals(data))).toEqual([true]);
  }, 300_000);
});
