import type { LogContext, Logger } from '../core/log/logger.js';
import type { LogLevel } from '../../protocol/index.js';

/**
 * A logger for the main process's first moments: links and events can arrive before `ready`, when
 * the core (and its file logger) does not exist yet. Lines go to stderr until `attach()`.
 */
export class DeferredLogger implements Logger {
  private target: Logger | undefined;

  constructor(private readonly source: string) {}

  attach(target: Logger): void {
    this.target = target.child(this.source);
  }

  log(level: LogLevel, message: string, context?: LogContext): void {
    if (this.target) this.target.log(level, message, context);
    else if (level !== 'debug') console.error(`[${this.source}] ${level}: ${message}`, context ?? '');
  }
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
    const write = (level: LogLevel, message: string, context?: LogContext): void => {
      if (this.target) this.target.child(source).log(level, message, context);
      else this.log(level, `${source}: ${message}`, context);
    };
    return {
      log: write,
      info: (message, context) => write('info', message, context),
      warn: (message, context) => write('warn', message, context),
      error: (message, context) => write('error', message, context),
      child: (sub) => this.child(`${source}.${sub}`),
    };
  }
}
