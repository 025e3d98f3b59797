import type { identityMethods } from '../../../protocol/identity.js';
import type { HostEventBus } from '../events.js';
import type { HandlersFor } from '../host-api/dispatch.js';
import type { IdentityService } from './identity-service.js';

/** Host API for the identity; answers carry only the summary, never key material. */
export function identityHandlers(identity: IdentityService, events: HostEventBus): HandlersFor<typeof identityMethods> {
  identity.onChange(() => {
    identity.status().then(
      (status) => events.emit('identity.changed', status),
      () => undefined,
    );
  });
  return {
    'identity.status': () => identity.status(),
    'identity.import': ({ bundle, passphrase }) => identity.import(bundle, passphrase),
    'identity.remove': () => identity.remove(),
  };
}
