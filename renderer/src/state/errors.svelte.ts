import { HostError } from '../../../protocol/index.js';
import { call } from '../lib/host/client.js';

export interface ShownError {
  id: number;
  code: string;
  field: string | undefined;
}

let nextId = 1;

/** Errors the user should see, as message-file codes; the English text goes to the host's log. */
export const errorState = $state({ items: [] as ShownError[] });

export function reportError(error: unknown, where: string): void {
  const hostError =
    error instanceof HostError ? error : new HostError('internal', error instanceof Error ? error.message : String(error));
  errorState.items.push({ id: nextId++, code: hostError.code, field: hostError.field });
  if (hostError.code !== 'unavailable' && hostError.code !== 'unauthorized') {
    call('log.write', { level: 'error', message: `${where}: ${hostError.message}`, context: { code: hostError.code } }).catch(
      () => undefined,
    );
  }
}

export function dismissError(id: number): void {
  const index = errorState.items.findIndex((item) => item.id === id);
  if (index >= 0) errorState.items.splice(index, 1);
}
