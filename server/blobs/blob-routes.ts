import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BLOB_CHUNK_BYTES, BLOB_ERROR_CODES, BlobHash, BlobUploadStart } from '../../protocol/index.js';
import type { AccessControl, Caller } from '../auth/access.js';
import type { Database } from '../db/database.js';
import { SyncHttpError } from '../sync/errors.js';
import { referencedBy } from './blob-access.js';
import type { BlobStore } from './blob-store.js';

export interface BlobRouteDeps {
  db: Database;
  store: BlobStore;
  access: Pick<AccessControl, 'mayServe' | 'tenantsServed'>;
  callerOf(request: FastifyRequest): Caller;
}

function hashParam(request: FastifyRequest): string {
  const parsed = BlobHash.safeParse((request.params as { sha256?: string }).sha256);
  if (!parsed.success) throw new SyncHttpError(400, 'invalid_hash', 'the blob name must be a lowercase SHA-256 hex digest');
  return parsed.data;
}

/**
 * The blob routes on the sync API's mutual-TLS listener (docs/sync-protocol.md, "Blobs"): upload in
 * chunks for a firm the caller serves, download of what a record of such a firm references.
 */
export function registerBlobRoutes(app: FastifyInstance, deps: BlobRouteDeps): void {
  // A chunk is raw bytes, handed on as the request's stream: the store takes it piece by piece.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  const mayUploadFor = (caller: Caller, tenant: string): void => {
    if (!deps.access.mayServe(caller.user, tenant)) {
      throw new SyncHttpError(403, 'forbidden_tenant', `${caller.user.id} does not serve ${tenant}`);
    }
  };

  app.post('/blobs/uploads', async (request) => {
    const caller = deps.callerOf(request);
    const parsed = BlobUploadStart.safeParse(request.body);
    if (!parsed.success) throw new SyncHttpError(400, 'invalid_request', parsed.error.issues[0]?.message ?? 'invalid upload');
    mayUploadFor(caller, parsed.data.tenant);
    return deps.store.start(parsed.data.sha256, parsed.data.size, parsed.data.tenant, caller.user.id);
  });

  const uploadOf = async (request: FastifyRequest): Promise<string> => {
    const sha256 = hashParam(request);
    const tenant = await deps.store.uploadTenant(sha256);
    // A finished upload answers "complete" to anyone allowed to upload at all; an open one only to its firm.
    if (tenant !== undefined) mayUploadFor(deps.callerOf(request), tenant);
    return sha256;
  };

  app.put('/blobs/uploads/:sha256', async (request) => {
    const sha256 = await uploadOf(request);
    const offset = Number((request.query as { offset?: string }).offset);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new SyncHttpError(400, 'invalid_offset', 'offset: a byte offset');
    const length = Number(request.headers['content-length']);
    if (request.headers['content-type'] !== 'application/octet-stream' || !Number.isSafeInteger(length)) {
      throw new SyncHttpError(400, 'invalid_chunk', 'a chunk is sent as application/octet-stream with its content-length');
    }
    if (length > BLOB_CHUNK_BYTES)
      throw new SyncHttpError(413, 'chunk_too_large', `a chunk has at most ${BLOB_CHUNK_BYTES} bytes`);
    return deps.store.receive(sha256, offset, length, request.body as AsyncIterable<Buffer>);
  });

  app.post('/blobs/uploads/:sha256/finish', async (request) => deps.store.finish(await uploadOf(request)));

  app.get('/blobs/:sha256', async (request, reply) => {
    const caller = deps.callerOf(request);
    const sha256 = hashParam(request);
    // Asked first, so that another firm cannot even learn whether the hash exists.
    if (!(await referencedBy(deps.db, sha256, deps.access.tenantsServed(caller.user)))) {
      throw new SyncHttpError(
        403,
        BLOB_ERROR_CODES.notReferenced,
        `no record of a firm ${caller.user.id} serves references ${sha256}`,
      );
    }
    const stat = await deps.store.stat(sha256);
    if (!stat) throw new SyncHttpError(404, BLOB_ERROR_CODES.notFound, `no complete blob ${sha256} is stored`);
    return reply
      .header('content-type', stat.mime)
      .header('content-length', String(stat.size))
      .header('cache-control', 'no-store')
      .send(Readable.from(deps.store.chunks(sha256)));
  });
}
