import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLevel } from '../../../protocol/index.js';

export type LogContext = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  log(level: LogLevel, message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void;
  warn(message: string, context?: LogContext): void;
  error(message: string, context?: LogContext): void;
  child(source: string): Logger;
}

const MAX_LOG_BYTES = 5 * 1024 * 1024;

/** The level shorthands and `child()` every logger shares; a subclass only decides where a line goes. */
export abstract class BaseLogger implements Logger {
  abstract log(level: LogLevel, message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void {
    this.log('info', message, context);
  }
  warn(message: string, context?: LogContext): void {
    this.log('warn', message, context);
  }
  error(message: string, context?: LogContext): void {
    this.log('error', message, context);
  }
  child(source: string): Logger {
    return new ChildLogger(this, source);
  }
}

/**
 * Writes JSON lines (English, for support) to `<dir>/vermittlung.log`, rotating once at 5 MiB.
 * Synchronous on purpose: a crash right after a log line must not lose it, and lines are small.
 */
export class FileLogger extends BaseLogger {
  private readonly file: string;
  private bytes: number;

  constructor(
    dir: string,
    private readonly source = 'core',
    private readonly echo: ((line: string) => void) | undefined = undefined,
  ) {
    super();
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'vermittlung.log');
    this.bytes = safeSize(this.file);
  }

  log(level: LogLevel, message: string, context?: LogContext): void {
    const { source, ...rest } = context ?? {};
    const line =
      JSON.stringify({
        t: new Date().toISOString(),
        level,
        source: typeof source === 'string' ? source : this.source,
        message,
        ...contextFields(rest),
      }) + '\n';
    if (this.bytes + line.length > MAX_LOG_BYTES) {
      try {
        renameSync(this.file, `${this.file}.1`);
      } catch {
        // nothing to rotate yet
      }
      this.bytes = 0;
    }
    try {
      appendFileSync(this.file, line);
      this.bytes += line.length;
    } catch {
      // A full disk must not take the phone down with it.
    }
    this.echo?.(line.trimEnd());
  }
}

/** Tags lines with a dotted source name; a source already in the context (a deeper child) wins. */
export class ChildLogger extends BaseLogger {
  constructor(
    private readonly parent: Logger,
    private readonly source: string,
  ) {
    super();
  }
  log(level: LogLevel, message: string, context?: LogContext): void {
    this.parent.log(level, message, { source: this.source, ...context });
  }
  override child(source: string): Logger {
    return new ChildLogger(this.parent, `${this.source}.${source}`);
  }
}

/** The line's own fields; a context key of the same name is kept as `ctx_<key>`, never in their place. */
const LINE_FIELDS = new Set(['t', 'level', 'source', 'message']);

function contextFields(context: LogContext): LogContext {
  if (!Object.keys(context).some((key) => LINE_FIELDS.has(key))) return context;
  return Object.fromEntries(Object.entries(context).map(([key, value]) => [LINE_FIELDS.has(key) ? `ctx_${key}` : key, value]));
}

/**
 * What a less trusted writer (the renderer) adds to a line: its keys can never pass for the line's
 * own fields, its `source` included (the file logger takes a context's source as the line's).
 */
export function foreignContext(context: LogContext | undefined): LogContext | undefined {
  return context && contextFields(context);
}

function safeSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
