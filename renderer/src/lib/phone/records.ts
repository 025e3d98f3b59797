import type { CallRecordPatch, PhonePorts } from './ports.js';
import type { LineView } from './types.js';

/**
 * Writes each line's history row: created when the line appears (with the tenant), patched when it
 * is answered and when it ends. The writes of one line are chained so an update never overtakes
 * its create; a failing store is logged and never touches the call.
 */
export class CallRecorder {
  private readonly chains = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly ports: PhonePorts,
    private readonly defaultTenant: () => string | undefined,
  ) {}

  /** The tenant the row belongs to: the dialled firm, else the matched contact's, else the user's first. */
  tenantOf(line: LineView): string | undefined {
    return line.lookup?.tenant?.tenant ?? line.lookup?.contact?.tenant ?? this.defaultTenant();
  }

  begin(line: LineView, onId: (id: string) => void): void {
    const tenant = this.tenantOf(line);
    if (!tenant) {
      this.ports.log('warn', `call ${line.id} not recorded: no tenant known`);
      this.chains.set(line.id, Promise.resolve(undefined));
      return;
    }
    const created = this.ports
      .createCall({
        tenant,
        direction: line.direction,
        remote_number: line.remoteUser.slice(0, 500) || 'unknown',
        dialled_number: line.dialled ?? null,
        contact_id: line.lookup?.contact?.id ?? null,
        started_at: new Date(line.startedAt).toISOString(),
      })
      .then(
        ({ id }) => {
          onId(id);
          return id;
        },
        (error: unknown) => {
          this.ports.log('error', `call record for ${line.id} not created: ${String(error)}`);
          return undefined;
        },
      );
    this.chains.set(line.id, created);
  }

  update(lineId: string, patch: CallRecordPatch): void {
    const chain = this.chains.get(lineId);
    if (!chain) return;
    this.chains.set(
      lineId,
      chain.then(async (id) => {
        if (!id) return id;
        await this.ports.updateCall(id, patch).catch((error: unknown) => {
          this.ports.log('error', `call record ${id} not updated: ${String(error)}`);
        });
        return id;
      }),
    );
  }

  answered(line: LineView): void {
    this.update(line.id, { answered_at: iso(line.answeredAt), outcome: 'answered' });
  }

  ended(line: LineView): void {
    this.update(line.id, { ended_at: iso(line.endedAt), outcome: line.outcome ?? null });
    const chain = this.chains.get(line.id);
    void chain?.finally(() => {
      if (this.chains.get(line.id) === chain) this.chains.delete(line.id);
    });
  }

  /** Resolves when every pending write has settled (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
