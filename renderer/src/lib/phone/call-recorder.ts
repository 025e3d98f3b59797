import type { CallerLookup, CallPatch } from '../../../../protocol/store.js';
import { serverIso } from '../clock.js';
import type { PhonePorts } from './ports.js';
import type { LineView } from './types.js';

/**
 * Whether the far end of a line is a colleague: the PBX vouched for an incoming one; an outgoing one
 * was dialled by user name (numbers, extensions and `*#` codes start with a digit, `+`, `*` or `#`).
 */
export function isInternal(line: Pick<LineView, 'direction' | 'caller' | 'remoteUser'>): boolean {
  if (line.direction === 'in') return line.caller === 'colleague';
  return !/^[+0-9*#]/.test(line.remoteUser);
}

/**
 * Writes each line's history row: created when the line appears (with the tenant), patched when it
 * is answered and when it ends. The writes of one line are chained so an update never overtakes
 * its create; a failing store is logged and never touches the call.
 */
export class CallRecorder {
  private readonly chains = new Map<string, Promise<string | undefined>>();
  private readonly tenants = new Map<string, string>();

  constructor(
    private readonly ports: PhonePorts,
    private readonly defaultTenant: () => string | undefined,
    /** Our own user id: who took an answered call. */
    private readonly self: () => string | undefined = () => undefined,
  ) {}

  /** The tenant the row belongs to: the dialled firm, else the matched contact's, else the user's first. */
  private tenantOf(lookup: CallerLookup | null): string | undefined {
    return lookup?.tenant?.tenant ?? lookup?.contact?.tenant ?? this.defaultTenant();
  }

  /**
   * Queues the row's creation. A row's firm can never change later (the tenant is the record's sync
   * partition), so when the caller lookup is still running the row waits for it — the ringing does
   * not — instead of landing in the user's first firm. Updates queued meanwhile follow the create.
   * `parentLineId` names the line whose call this one is a leg of (a consultation for it, the call a
   * REFER of it brought): the row carries that row's id, so the history shows one row per customer call.
   */
  /** `firm`: on a firm's behalf the row is that firm's, whoever the number belongs to. */
  begin(
    line: LineView,
    onId: (id: string) => void,
    lookup?: Promise<CallerLookup | null>,
    parentLineId?: string,
    firm?: string,
  ): void {
    const known = lookup ? lookup.catch(() => null).then((found) => found ?? line.lookup) : Promise.resolve(line.lookup);
    const parent = (parentLineId && this.chains.get(parentLineId)) || Promise.resolve(undefined);
    const created = Promise.all([known, parent]).then(([found, parentId]) => {
      const tenant = firm ?? this.tenantOf(found);
      if (!tenant) {
        this.ports.log('warn', `call ${line.id} not recorded: no tenant known`);
        return undefined;
      }
      this.tenants.set(line.id, tenant);
      return this.ports
        .createCall({
          tenant,
          direction: line.direction,
          remote_number: line.remoteUser.slice(0, 500) || 'unknown',
          dialled_number: line.dialled ?? null,
          contact_id: found?.contact?.id ?? null,
          started_at: serverIso(line.startedAt),
          internal: isInternal(line),
          ...(parentId ? { parent_id: parentId } : {}),
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
    });
    this.chains.set(line.id, created);
  }

  update(lineId: string, patch: CallPatch | (() => Promise<CallPatch | undefined>), when: () => boolean = () => true): void {
    const chain = this.chains.get(lineId);
    if (!chain) return;
    this.chains.set(
      lineId,
      chain.then(async (id) => {
        if (!id || !when()) return id;
        const fields = typeof patch === 'function' ? await patch() : patch;
        if (!fields) return id;
        await this.ports.updateCall(id, fields).catch((error: unknown) => {
          this.ports.log('error', `call record ${id} not updated: ${String(error)}`);
        });
        return id;
      }),
    );
  }

  /** A caller recognised only after the row was created (a pull or a new contact): linked when of the row's firm. */
  recognised(lineId: string, contact: { id: string; tenant: string }): void {
    this.update(lineId, { contact_id: contact.id }, () => this.tenants.get(lineId) === contact.tenant);
  }

  /**
   * A line that turns out to be a leg of another line's call: at the target of an attended transfer the
   * consultation call from the colleague is replaced by the customer's, and belongs to it.
   */
  link(childLineId: string, parentLineId: string): void {
    const parent = this.chains.get(parentLineId);
    if (!parent) return;
    this.update(childLineId, async () => {
      const parentId = await parent;
      return parentId ? { parent_id: parentId } : undefined;
    });
  }

  /** `pbxCallId`: the SIP Call-ID, which the PBX's call detail record carries too (docs/billing.md). */
  answered(line: LineView, pbxCallId?: string): void {
    const self = line.direction === 'in' ? this.self() : undefined;
    this.update(line.id, {
      answered_at: iso(line.answeredAt),
      outcome: 'answered',
      ...(self ? { taken_by: self } : {}),
      ...(pbxCallId ? { pbx_call_id: pbxCallId.slice(0, 500) } : {}),
    });
  }

  /** `holdSeconds`: how long we held the far end; with an answered call, the app's own talk time is kept too. */
  ended(line: LineView, holdSeconds?: number): void {
    // Where a transferred call went; the outcome alone ("weitergeleitet") does not say to whom.
    const target = line.transfer?.state === 'done' ? line.transfer.target : undefined;
    const talk =
      line.answeredAt !== undefined && line.endedAt !== undefined
        ? { app_talk_seconds: Math.min(86_400, Math.max(0, Math.round((line.endedAt - line.answeredAt) / 1000))) }
        : {};
    const hold =
      holdSeconds !== undefined && line.answeredAt !== undefined ? { hold_seconds: Math.min(86_400, holdSeconds) } : {};
    this.update(line.id, {
      ended_at: iso(line.endedAt),
      outcome: line.outcome ?? null,
      ...(target ? { transferred_to: target.slice(0, 200) } : {}),
      ...talk,
      ...hold,
    });
    const chain = this.chains.get(line.id);
    void chain?.finally(() => {
      if (this.chains.get(line.id) !== chain) return;
      this.chains.delete(line.id);
      this.tenants.delete(line.id);
    });
  }

  /** Resolves when every pending write has settled (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }
}

/** History rows are in server time: a computer whose date is wrong still files the call on the right day. */
function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : serverIso(ms);
}
