import type { Protocol } from 'electron';
import { RENDERER_SECURITY_HEADERS } from '../core/hosting/csp.js';
import { readStaticFile } from '../core/hosting/static-files.js';
import { APP_HOST, APP_SCHEME } from './security.js';

/**
 * Must run before `app` is ready: makes `app://` a secure, standard origin (not `file://`).
 * `stream`: <audio> (the ringtone) plays from it; without the privilege media elements expect a
 * buffered protocol and may refuse the response.
 */
export function registerAppScheme(protocol: Protocol): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true, stream: true },
    },
  ]);
}

/** Serves the built renderer from `root` under `app://vermittlung/`, with the CSP on every response. */
export function serveRenderer(protocol: Protocol, root: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
    const file = await readStaticFile(root, url.pathname);
    if (!file) return new Response('not found', { status: 404 });
    return new Response(new Uint8Array(file.body), {
      status: 200,
      headers: { 'Content-Type': file.contentType, ...RENDERER_SECURITY_HEADERS },
    });
  });
}
