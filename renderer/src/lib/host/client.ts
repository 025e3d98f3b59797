import {
  ErrorData,
  HostError,
  hostEvents,
  type HostBridge,
  type HostEventName,
  type HostEventPayload,
  type HostInput,
  type HostMethod,
  type HostOutput,
} from '../../../../protocol/index.js';
import { createBrowserBridge } from './browser-bridge.js';

declare global {
  interface Window {
    vermittlung?: HostBridge;
  }
}

const bridge: HostBridge = window.vermittlung ?? createBrowserBridge();

/** Calls a host API method. Resolves with its value or throws the host's error as a `HostError`. */
export async function call<M extends HostMethod>(
  method: M,
  ...args: undefined extends HostInput<M> ? [input?: HostInput<M>] : [input: HostInput<M>]
): Promise<HostOutput<M>> {
  let raw: unknown;
  try {
    raw = await bridge.invoke(method, args[0] ?? null);
  } catch (error) {
    throw new HostError('unavailable', `host unreachable: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = raw as { ok?: unknown; value?: unknown; error?: unknown };
  if (result?.ok === true) return result.value as HostOutput<M>;
  const error = ErrorData.safeParse(result?.error);
  throw error.success ? HostError.fromData(error.data) : new HostError('internal', `malformed host reply to ${method}`);
}

/** Subscribes to one host event; payloads are validated so a confused host cannot corrupt state. */
export function on<E extends HostEventName>(name: E, listener: (payload: HostEventPayload<E>) => void): () => void {
  return bridge.onEvent((raw) => {
    const message = raw as { event?: unknown; payload?: unknown };
    if (message?.event !== name) return;
    const payload = hostEvents[name].safeParse(message.payload);
    // TypeScript cannot tie hostEvents[name]'s output to E once there are several events.
    if (payload.success) listener(payload.data as HostEventPayload<E>);
  });
}

export const shellKind = bridge.shell;
