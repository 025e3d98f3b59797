import type { documentMethods } from '../../../protocol/index.js';
import type { HandlersFor } from '../host-api/dispatch.js';
import type { DocumentService } from './document-service.js';
import type { IntakeWatcher } from './intake-watcher.js';

/** Host API of documents and the scanner's intake (protocol/documents.ts). */
export function documentHandlers(documents: DocumentService, intake: IntakeWatcher): HandlersFor<typeof documentMethods> {
  return {
    'intake.list': () => intake.list(),
    'intake.read': async ({ id }) => {
      const { mime, bytes } = await intake.read(id);
      return { mime, base64: bytes.toString('base64') };
    },
    'intake.dismiss': async ({ id }) => {
      await intake.dismiss(id);
    },
    'intake.pickFolder': () => documents.pickFolder(),
    'documents.pick': () => documents.pick(),
    'documents.add': ({ tenant, source, attach }) => documents.add(tenant, source, attach),
    'documents.list': ({ attach }) => documents.list(attach),
    'documents.read': async ({ id }) => {
      const { mime, bytes } = await documents.read(id);
      return { mime, base64: bytes.toString('base64') };
    },
    'documents.saveCopy': async ({ id }) => ({ saved: await documents.saveCopy(id) }),
    'documents.remove': ({ id }) => {
      documents.remove(id);
    },
  };
}
