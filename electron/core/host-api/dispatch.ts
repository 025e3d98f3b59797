import type { z } from 'zod';
import {
  HostError,
  hostMethods,
  isHostMethod,
  validationError,
  type ErrorData,
  type HostMethod,
  type HostOutput,
  type HostParsedInput,
  type MethodSpec,
  type Result,
} from '../../../protocol/index.js';
import type { Logger } from '../log/logger.js';

/** Who is calling; hosts fill this so handlers and logs can tell windows and sockets apart. */
export interface CallContext {
  origin: string;
}

export type HostHandlers = {
  [M in HostMethod]: (input: HostParsedInput<M>, ctx: CallContext) => HostOutput<M> | Promise<HostOutput<M>>;
};

/** The handlers for one capability's method table, e.g. `HandlersFor<typeof storeMethods>`. */
export type HandlersFor<T extends Record<string, MethodSpec>> = {
  [M in keyof T]: (
    input: z.output<T[M]['input']>,
    ctx: CallContext,
  ) => z.output<T[M]['output']> | Promise<z.output<T[M]['output']>>;
};

export type Dispatch = (method: unknown, input: unknown, ctx: CallContext) => Promise<Result<unknown>>;

/**
 * The one gate between a host transport (IPC, HTTP) and the core services: refuses unknown methods,
 * validates input against `protocol/`, runs the handler, and turns every failure into error data.
 * Nothing a renderer sends can throw past this function.
 */
export function createDispatcher(handlers: HostHandlers, log: Logger): Dispatch {
  return async (method, rawInput, ctx) => {
    if (typeof method !== 'string' || !isHostMethod(method)) {
      const error = new HostError('unknown_method', `unknown host API method: ${String(method).slice(0, 100)}`);
      log.warn('host API call refused', { method: String(method).slice(0, 100), origin: ctx.origin, reason: error.message });
      return fail(error.toData());
    }
    const parsed = hostMethods[method].input.safeParse(rawInput);
    if (!parsed.success) {
      const error = validationError(parsed.error);
      log.warn('host API call refused', { method, origin: ctx.origin, reason: error.message });
      return fail(error.toData());
    }
    try {
      const handler = handlers[method] as (input: unknown, ctx: CallContext) => unknown;
      const value = await handler(parsed.data, ctx);
      return { ok: true, value };
    } catch (error) {
      if (error instanceof HostError) {
        log.warn('host API call failed', { method, code: error.code, reason: error.message });
        return fail(error.toData());
      }
      log.error('host API handler crashed', {
        method,
        reason: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      return fail({ code: 'internal', message: `internal error in ${method}` });
    }
  };
}

function fail(error: ErrorData): Result<never> {
  return { ok: false, error };
}
