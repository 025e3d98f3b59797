/**
 * Version 5: an appointment remembers the call it was booked in (from the call card), so history
 * and notes can lead to it. Existing appointments have none.
 */
export const up = `
ALTER TABLE appointment ADD COLUMN call_id TEXT;
CREATE INDEX appointment_by_call ON appointment(call_id);
`;
