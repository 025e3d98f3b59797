/** IPC channel names, free of any import so the sandboxed preload can bundle them without zod. */
export const IPC_INVOKE = 'vermittlung:invoke';
export const IPC_EVENT = 'vermittlung:event';
