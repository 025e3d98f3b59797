import { INVALID_UTF8_CODE, type Change } from '../../../protocol/index.js';
import type { SyncRequestError } from './sync-client.js';
import type { PendingChange } from './store-port.js';

/**
 * Refusals of the whole batch without naming a part: its size, or bytes that are not UTF-8 (which
 * the server cannot attribute to a field). Halving finds the entry at fault, or lets all pass.
 */
const BATCH_SIZE_CODES = new Set(['too_many_changes', 'body_too_large', INVALID_UTF8_CODE]);

export type RefusalAction =
  /** These entries are refused for good: quarantine them, push the rest. */
  | { kind: 'quarantine'; outboxIds: number[] }
  /** Try again at once with at most this many entries. */
  | { kind: 'shrink'; limit: number }
  /** Not the changes' fault (the caller's certificate, the directory): keep them, back off, report. */
  | { kind: 'keep' };

function path(c: Change): string {
  return `${c.tenant}/${c.table}/${c.id}/${c.field}`;
}

/**
 * What to do with a batch the server refused for good (400/403/413). The server names the
 * offending part by path (`tenant[/table[/id[/field]]]`); every entry under it is quarantined, so
 * one bad change never blocks the outbox and nothing is dropped. A batch-size refusal is halved
 * down to a single entry, which is then quarantined.
 */
export function refusalAction(error: SyncRequestError, batch: readonly PendingChange[]): RefusalAction {
  if (error.item !== undefined) {
    const item = error.item;
    const hit = batch.filter((p) => path(p.change) === item || path(p.change).startsWith(`${item}/`));
    if (hit.length > 0) return { kind: 'quarantine', outboxIds: hit.map((p) => p.outboxId) };
  }
  if (BATCH_SIZE_CODES.has(error.code)) {
    if (batch.length > 1) return { kind: 'shrink', limit: Math.floor(batch.length / 2) };
    return { kind: 'quarantine', outboxIds: batch.map((p) => p.outboxId) };
  }
  return { kind: 'keep' };
}
