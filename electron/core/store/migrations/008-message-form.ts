/**
 * Version 010: the call note as a message form (urgency, the caller as taken down, who took it) and
 * one history row per customer call (a leg names the call it belongs to, where a call was
 * transferred, whether the far end was a colleague). Columns only: existing rows read as null.
 */
export const up = `
ALTER TABLE note ADD COLUMN urgency TEXT;
ALTER TABLE note ADD COLUMN caller_name TEXT;
ALTER TABLE note ADD COLUMN caller_number TEXT;
ALTER TABLE note ADD COLUMN author TEXT;
ALTER TABLE "call" ADD COLUMN parent_id TEXT;
ALTER TABLE "call" ADD COLUMN transferred_to TEXT;
ALTER TABLE "call" ADD COLUMN internal INTEGER;
CREATE INDEX call_by_parent ON "call"(parent_id);
`;
