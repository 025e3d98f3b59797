import { renderGreeting, type Tenant } from '../../../protocol/index.js';
import { identityState } from './identity.svelte.js';

/**
 * The firm's greeting as the person at this desk says it: the firm's template (or the default) with
 * this profile's name and the time of day the call came in. Reactive through identityState.
 */
export function greetingFor(firm: Pick<Tenant, 'name' | 'greeting'>, at: number): string {
  return renderGreeting(firm.greeting, { firma: firm.name, name: identityState.summary?.name, at });
}
