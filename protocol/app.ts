import { z } from 'zod';

export const ShellKind = z.enum(['electron', 'browser']);
export type ShellKind = z.infer<typeof ShellKind>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  shell: ShellKind,
});
export type AppInfo = z.infer<typeof AppInfo>;

export const LogLevel = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLevel = z.infer<typeof LogLevel>;

/** A renderer log line. Bounded so a runaway renderer cannot fill the disk through one call. */
export const LogEntry = z.strictObject({
  level: LogLevel,
  message: z.string().max(4000),
  context: z.record(z.string(), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()])).optional(),
});
export type LogEntry = z.infer<typeof LogEntry>;
