/** Version 2: the notes inbox lists open callbacks by due time per firm. */
export const up = `
CREATE INDEX note_by_callback ON note(tenant_id, callback_requested, status, callback_due) WHERE _deleted = 0;
`;
