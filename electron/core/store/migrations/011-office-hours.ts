/** Version 11: the office's own working hours, held in every firm's firm_schedule record (protocol/firm-schedule.ts). */
export const up = `
ALTER TABLE firm_schedule ADD COLUMN office_hours TEXT;
`;
