/**
 * The bare reference for `call_setup_vs_bare_sipjs_ratio`: two Chromium pages running plain SIP.js
 * `Web.SimpleUser` with SIP.js's own WebSocket transport — no host-API bridge, no lookup, no state.
 * Chromium cannot present a client certificate to a WSS URL (TEST-STACK pitfall 3), so each page
 * connects to a local TCP port that pipes raw bytes into a TLS connection carrying that user's
 * certificate: the WebSocket handshake and every frame are SIP.js's own, only TLS is added.
 */
import { createServer, type Server } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import type { TestHome } from '../test/helpers/pbx-certs.js';

interface BareApi {
  start(server: string, aor: string): Promise<void>;
  call(target: string): Promise<number>;
  hangup(): Promise<void>;
  stop(): Promise<void>;
}
declare const window: { bare: BareApi };

const PAGE_SCRIPT = `
import { Web } from 'sip.js';
let user; let sentAt = 0; let resolveCall;
window.bare = {
  async start(server, aor) {
    const audio = document.createElement('audio');
    document.body.append(audio);
    user = new Web.SimpleUser(server, {
      aor,
      media: { constraints: { audio: true, video: false }, remote: { audio } },
      delegate: {
        onCallReceived: () => void user.answer(),
        onCallAnswered: () => resolveCall?.(performance.now() - sentAt),
      },
    });
    await user.connect();
    const transport = user.userAgent.transport;
    const send = transport.send.bind(transport);
    transport.send = (message) => {
      if (message.startsWith('INVITE ') && !/^To:[^\\r\\n]*;tag=/im.test(message)) sentAt = performance.now();
      return send(message);
    };
    await user.register();
  },
  call(target) {
    return new Promise((resolve, reject) => {
      resolveCall = resolve;
      user.call(target).catch(reject);
    });
  },
  hangup: () => user.hangup(),
  stop: () => user.disconnect(),
};
`;

function tlsPipe(wssPort: number, cert: { pfx: Buffer; passphrase: string }, ca: string): Promise<Server & { port: number }> {
  const server = createServer((socket) => {
    const upstream = tlsConnect({
      host: '127.0.0.1',
      port: wssPort,
      pfx: cert.pfx,
      passphrase: cert.passphrase,
      ca,
      servername: 'localhost',
    });
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', close);
    upstream.on('error', close);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(Object.assign(server, { port: (server.address() as { port: number }).port }))),
  );
}

/** Call setups (INVITE sent → Established, ms) between two bare SIP.js pages, after one warm-up call. */
export async function bareSipjsSetups(browser: Browser, home: TestHome, wssPort: number, calls: number): Promise<number[]> {
  const built = await build({
    stdin: { contents: PAGE_SCRIPT, resolveDir: import.meta.dirname, loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const script = built.outputFiles[0]!.text;
  const pipes: Server[] = [];
  const pages: Page[] = [];
  try {
    for (const user of ['bare1', 'bare2']) {
      const pipe = await tlsPipe(wssPort, home.issue(user), home.caPem);
      pipes.push(pipe);
      const page = await (await browser.newContext()).newPage();
      await page.route('http://127.0.0.1:9/**', (route) =>
        route.fulfill({ contentType: 'text/html', body: '<!doctype html><body></body>' }),
      );
      await page.goto('http://127.0.0.1:9/bare');
      await page.addScriptTag({ content: script });
      await page.evaluate(
        ([server, aor]) => window.bare.start(server!, aor!),
        [`ws://127.0.0.1:${pipe.port}`, `sip:${user}@localhost`],
      );
      pages.push(page);
    }
    const [caller] = pages as [Page, Page];
    const setups: number[] = [];
    for (let i = 0; i <= calls; i++) {
      const ms = await caller.evaluate(() => window.bare.call('sip:bare2@localhost'));
      if (i > 0) setups.push(ms);
      await caller.evaluate(() => window.bare.hangup());
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    return setups;
  } finally {
    for (const page of pages) await page.evaluate(() => window.bare.stop()).catch(() => undefined);
    for (const page of pages) await page.context().close();
    for (const pipe of pipes) pipe.close();
  }
}
