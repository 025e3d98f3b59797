import { Readable } from 'node:stream';
import { createTransport, type Transporter } from 'nodemailer';
import type { Database } from '../db/database.js';
import type { ServerLog } from '../log.js';
import type { BlobStore } from '../blobs/blob-store.js';
import type { SmtpSettings } from './smtp-settings.js';

export interface DocumentMailerOptions {
  db: Database;
  blobs: BlobStore;
  smtp: SmtpSettings;
  /** The firm's name and the address its mail goes to (directory: `tenant set --mail-to`). */
  recipient: (tenant: string) => { name: string; address: string } | undefined;
  log: ServerLog;
  /** How often to look even without a commit (a blob finished after its record): default 10 s. */
  intervalMs?: number;
}

interface Pending {
  item: string;
  tenant: string;
  document: string;
  name: string | null;
  sha256: string;
  mime: string;
}

const MARK_SKIPPED = 'skipped: forwarded before e-mail notification was set up';

/**
 * E-mails a craftsman the scans of his firm's mail once an item is `weitergeleitet`, through the
 * office's SMTP relay, each document once (`document_mail`). A document whose bytes are not on the
 * server yet waits for them; a relay that fails is tried again on the next round.
 */
export class DocumentMailer {
  private readonly transport: Transporter;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly options: DocumentMailerOptions) {
    const { smtp } = options;
    this.transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.tls === 'implicit',
      requireTLS: smtp.tls === 'starttls',
      ignoreTLS: smtp.tls === 'none',
      ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
      ...(smtp.ca ? { tls: { ca: smtp.ca } } : {}),
    });
  }

  /** Marks what was forwarded before e-mail was set up as done, then looks every interval and on kick(). */
  async start(): Promise<void> {
    const { rows } = await this.options.db.query<{ value: string }>(
      "SELECT value FROM server_meta WHERE key = 'document_mail_since'",
    );
    if (rows.length === 0) {
      await this.options.db.transaction(async (tx) => {
        for (const p of await this.pending(tx)) {
          await tx.query(
            `INSERT INTO document_mail (document_id, item_id, tenant, recipient, outcome) VALUES ($1, $2, $3, '', $4)
             ON CONFLICT DO NOTHING`,
            [p.document, p.item, p.tenant, MARK_SKIPPED],
          );
        }
        await tx.query("INSERT INTO server_meta (key, value) VALUES ('document_mail_since', $1)", [new Date().toISOString()]);
      });
    }
    this.timer = setInterval(() => this.kick(), this.options.intervalMs ?? 10_000);
    this.timer.unref();
    this.kick();
  }

  /** Something was committed: look now. */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round()
      .catch((error: unknown) => this.options.log('document e-mail round failed', { reason: (error as Error).message }))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    this.transport.close();
  }

  private async round(): Promise<void> {
    const byItem = new Map<string, Pending[]>();
    for (const p of await this.pending(this.options.db)) byItem.set(p.item, [...(byItem.get(p.item) ?? []), p]);
    for (const [item, documents] of byItem) {
      if (this.closed) return;
      const tenant = documents[0]!.tenant;
      const to = this.options.recipient(tenant);
      if (!to) continue; // no address for this firm: nothing to send (not recorded, so setting one later sends)
      const fields = await this.itemFields(item);
      try {
        const info = (await this.transport.sendMail({
          from: this.options.smtp.from,
          to: to.address,
          subject: `Neue Post für ${to.name}${fields.subject ? `: ${fields.subject}` : ''}`,
          text: mailText(to.name, fields, documents.length),
          attachments: documents.map((d) => ({
            filename: d.name ?? `${d.sha256.slice(0, 12)}.pdf`,
            contentType: d.mime,
            content: Readable.from(this.options.blobs.chunks(d.sha256)),
          })),
        })) as { messageId?: string };
        await this.options.db.transaction(async (tx) => {
          for (const d of documents) {
            await tx.query(
              `INSERT INTO document_mail (document_id, item_id, tenant, recipient, outcome) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT DO NOTHING`,
              [d.document, item, tenant, to.address, `sent ${info.messageId ?? ''}`.trim()],
            );
          }
        });
        this.options.log('document e-mail sent', { tenant, item, documents: documents.length });
      } catch (error) {
        this.options.log('document e-mail not sent, trying again later', { tenant, item, reason: (error as Error).message });
      }
    }
  }

  /** Live documents attached to a live, forwarded mail item, with their bytes complete, not yet mailed. */
  private async pending(q: Pick<Database, 'query'>): Promise<Pending[]> {
    const { rows } = await q.query<Pending>(
      `SELECT s.id::text AS item, s.tenant, a.id::text AS document, (n.value #>> '{}') AS name,
              b.sha256, b.mime
         FROM field_state s
         JOIN field_state a ON a.tbl = 'document' AND a.field = 'attached_id' AND (a.value #>> '{}') = s.id::text
         JOIN field_state t ON t.tbl = 'document' AND t.id = a.id AND t.field = 'attached_table'
                           AND (t.value #>> '{}') = 'mail_item'
         JOIN field_state h ON h.tbl = 'document' AND h.id = a.id AND h.field = 'blob_sha256'
         JOIN blob b ON b.sha256 = (h.value #>> '{}')
         LEFT JOIN field_state n ON n.tbl = 'document' AND n.id = a.id AND n.field = 'name'
        WHERE s.tbl = 'mail_item' AND s.field = 'status' AND (s.value #>> '{}') = 'weitergeleitet'
          AND a.tenant = s.tenant
          AND NOT EXISTS (SELECT 1 FROM field_state x WHERE x.tbl IN ('document', 'mail_item') AND x.id IN (a.id, s.id)
                            AND x.field = '_deleted' AND x.value = 'true'::jsonb)
          AND NOT EXISTS (SELECT 1 FROM document_mail m WHERE m.document_id = a.id)
        ORDER BY s.id, name`,
    );
    return rows;
  }

  private async itemFields(item: string): Promise<Record<string, string>> {
    const { rows } = await this.options.db.query<{ field: string; value: string | null }>(
      `SELECT field, value #>> '{}' AS value FROM field_state WHERE tbl = 'mail_item' AND id = $1`,
      [item],
    );
    return Object.fromEntries(rows.filter((r) => r.value !== null).map((r) => [r.field, r.value!]));
  }
}

function mailText(firm: string, item: Record<string, string>, count: number): string {
  const lines = [
    `Guten Tag,`,
    ``,
    `für ${firm} ist Post eingegangen; ${count === 1 ? 'der Scan liegt' : `die ${count} Scans liegen`} dieser E-Mail bei.`,
    ``,
    ...(item.sender ? [`Absender: ${item.sender}`] : []),
    ...(item.subject ? [`Betreff: ${item.subject}`] : []),
    ...(item.received_on ? [`Eingegangen am: ${item.received_on}`] : []),
    ...(item.deadline ? [`Frist: ${item.deadline}`] : []),
    ``,
    `Sie finden das Schreiben auch in der App unter „Post“.`,
  ];
  return lines.join('\n');
}
