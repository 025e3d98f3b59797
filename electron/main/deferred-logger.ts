import { BaseLogger, ChildLogger, type LogContext, type Logger } from '../core/log/logger.js';
import type { LogLevel } from '../../protocol/index.js';

/**
 * A logger for the main process's first moments: links and events can arrive before `ready`, when
 * the core (and its file logger) does not exist yet. Lines go to stderr until `attach()`.
 */
export class DeferredLogger extends BaseLogger {
  private target: Logger | undefined;

  constructor(private readonly source: string) {
    super();
  }

  attach(target: Logger): void {
    this.target = target.child(this.source);
  }

  log(level: LogLevel, message: string, context?: LogContext): void {
    if (this.target) this.target.log(level, message, context);
    else if (level !== 'debug') console.error(`[${this.source}] ${level}: ${message}`, context ?? '');
  }

  // Children route through this logger, so they follow it from stderr to the file once attached.
  override child(source: string): Logger {
    return new ChildLogger(this, `${this.source}.${source}`);
  }
}
