/**
 * What a firm's monthly report is made of: the lines the server assembles from the PBX's call detail
 * records joined with what only the apps know (hold, after-call work, "nicht berechnen", the note).
 * The metering side produces them; the report side prices, freezes and prints them. Times are whole
 * seconds; instants are ISO-8601 UTC strings; the report renders them in Europe/Berlin.
 */
import type { BillingContract } from './billing-contract.js';

/** One customer call of a firm, or one call made on the firm's behalf. */
export interface BillingCallLine {
  /** The PBX's Call-ID of the customer's leg: the key that joins CDRs and app facts. */
  callId: string;
  tenantId: string;
  /** in: a customer called the firm's number; out: a call placed with the firm's number as caller. */
  direction: 'in' | 'out';
  /** When the PBX saw the INVITE. */
  startedAt: string;
  /** The outside party: the caller for `in`, the dialled number for `out` (E.164 where known). */
  remoteNumber: string;
  /** The outside party's name from the firm's contacts, when known. */
  remoteName: string | null;
  /** The user id who answered (or placed) the call; null when nobody answered. */
  answeredBy: string | null;
  answeredByName: string | null;
  /** From the PBX: INVITE to answer. */
  ringSeconds: number;
  /** From the PBX: answer to hang-up, hold included; 0 for an unanswered call. */
  talkSeconds: number;
  /** From the app: time on hold within talkSeconds. */
  holdSeconds: number;
  /** From the app: hang-up until the note was saved. */
  afterCallWorkSeconds: number;
  /** The app's own measure of the connected time, when an app reported the call; null otherwise. */
  appTalkSeconds: number | null;
  /** "nicht berechnen": set in the app with a reason; confirmedBy is the lead who confirmed it. */
  noBill: { reason: string; confirmedBy: string | null } | null;
  /** The subject of the call's note, when one was written. */
  noteSubject: string | null;
}

/** Something billed per piece: a booked appointment, or another item the contract prices. */
export interface BillingItemLine {
  /** Stable id of the source record (e.g. the appointment's record id). */
  id: string;
  tenantId: string;
  /** The day it counts for (YYYY-MM-DD, Europe/Berlin). */
  date: string;
  kind: 'appointment' | 'item';
  description: string;
  quantity: number;
  unitCents: number;
}

/** A contract as stored: its terms apply from `contract.validFrom` until the next version's. */
export interface ContractVersion {
  tenantId: string;
  contract: BillingContract;
}

/**
 * Where the report reads from. The metering side implements it over the server's database; the report
 * side must not read the tables directly, so either side can change its storage.
 */
export interface BillingSource {
  /** Every contract version of the firm, oldest first. */
  contracts(tenantId: string): Promise<ContractVersion[]>;
  /** The firm's calls whose startedAt lies in [fromIso, toIso). */
  callLines(tenantId: string, fromIso: string, toIso: string): Promise<BillingCallLine[]>;
  /** The firm's per-piece items whose date lies in [fromDate, toDate). */
  itemLines(tenantId: string, fromDate: string, toDate: string): Promise<BillingItemLine[]>;
}
