/**
 * The bare reference for `call_setup_vs_bare_sipjs_ratio`: two Chromium pages running plain SIP.js
 * `Web.SimpleUser` with SIP.js's own WebSocket transport straight to Kamailio's WSS port — no host-API
 * bridge, no lookup, no state.
 *
 * Kamailio demands a client certificate (mandatory mTLS), so each user gets its own Chromium with its
 * own HOME: an NSS database (~/.pki/nssdb, certutil/pk12util) holding the test CA as trusted and that
 * user's certificate, plus a managed `AutoSelectCertificateForUrls` policy for the WSS origin so the
 * browser presents it without a dialog. The page is served from a loopback HTTP server: Chromium's
 * Local Network Access checks block a WebSocket to 127.0.0.1 from a page of another address space
 * (about:blank, a Playwright-routed page: net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS, which SIP.js
 * only sees as close code 1006; Kamailio never gets a byte). Before SIP.js connects, a warm-up HTTPS
 * request to the WSS port (Kamailio answers 404) lets Chromium select the certificate; a WebSocket
 * alone does not trigger the selection.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/chromium.js';
import type { TestHome } from '../test/helpers/pbx-certs.js';

interface BareApi {
  start(server: string, aor: string): Promise<void>;
  call(target: string): Promise<number>;
  hangup(): Promise<void>;
  stop(): Promise<void>;
}
declare const window: { bare: BareApi };

const POLICY_DIR = '/etc/chromium/policies/managed';

const PAGE_SCRIPT = `
import { Web } from 'sip.js';
let user; let sentAt = 0; let resolveCall; let registered;
window.bare = {
  async start(server, aor) {
    const audio = document.createElement('audio');
    document.body.append(audio);
    user = new Web.SimpleUser(server, {
      aor,
      media: { constraints: { audio: true, video: false }, remote: { audio } },
      // As our engine: no STUN, 2 s ICE gathering time-out (same call; no STUN request leaves this
      // machine) and SIP.js's console log off (it would cost the bare pages time ours does not spend).
      userAgentOptions: {
        logBuiltinEnabled: false,
        sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] }, iceGatheringTimeout: 2000 },
      },
      delegate: {
        onCallReceived: () => void user.answer(),
        onCallAnswered: () => resolveCall?.(performance.now() - sentAt),
        onRegistered: () => registered?.(),
      },
    });
    await user.connect();
    const transport = user.sessionManager.userAgent.transport;
    const send = transport.send.bind(transport);
    transport.send = (message) => {
      if (message.startsWith('INVITE ') && !/^To:[^\\r\\n]*;tag=/im.test(message)) sentAt = performance.now();
      return send(message);
    };
    // Resolves once the PBX took the registration; a refusal rejects with its status line.
    await new Promise((resolve, reject) => {
      registered = resolve;
      const onReject = (response) =>
        reject(new Error('REGISTER refused: ' + response.message.statusCode + ' ' + response.message.reasonPhrase));
      user.register({ requestDelegate: { onReject } }).catch(reject);
    });
  },
  call(target) {
    return new Promise((resolve, reject) => {
      resolveCall = resolve;
      const onReject = (response) =>
        reject(new Error('INVITE refused: ' + response.message.statusCode + ' ' + response.message.reasonPhrase));
      user.call(target, undefined, { requestDelegate: { onReject } }).catch(reject);
    });
  },
  hangup: () => user.hangup(),
  stop: () => user.disconnect(),
};
`;

/** A HOME whose NSS database trusts the test CA and holds `user`'s certificate and key. */
function nssHome(home: TestHome, user: string): string {
  const dir = mkdtempSync(join(tmpdir(), `vermittlung-bare-${user}-`));
  const db = join(dir, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true });
  const cert = home.issue(user);
  const p12 = join(dir, `${user}.p12`);
  const ca = join(dir, 'ca.pem');
  writeFileSync(p12, cert.pfx);
  writeFileSync(ca, home.caPem);
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  run('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  run('certutil', ['-A', '-d', `sql:${db}`, '-n', 'Vermittlung Test CA', '-t', 'CT,,', '-i', ca]);
  run('pk12util', ['-i', p12, '-d', `sql:${db}`, '-W', cert.passphrase, '-K', '']);
  return dir;
}

/** Lets Chromium pick the client certificate for the WSS origin without asking; returns the undo. */
function autoSelectPolicy(origin: string): () => void {
  const created = !existsSync(POLICY_DIR);
  mkdirSync(POLICY_DIR, { recursive: true });
  const file = join(POLICY_DIR, `vermittlung-bench-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ AutoSelectCertificateForUrls: [JSON.stringify({ pattern: origin, filter: {} })] }));
  return () => {
    rmSync(file, { force: true });
    // Only an empty tree we made ourselves: other people's policies stay.
    if (created && readdirSync(POLICY_DIR).length === 0) {
      rmdirSync(POLICY_DIR);
      if (readdirSync('/etc/chromium/policies').length === 0) rmdirSync('/etc/chromium/policies');
    }
  };
}

async function bundle(): Promise<string> {
  const built = await build({
    stdin: { contents: PAGE_SCRIPT, resolveDir: import.meta.dirname, loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return built.outputFiles[0]!.text;
}

/** A loopback HTTP server with one empty page, so the pages' origin is in the same address space as Kamailio. */
function pageServer(): Promise<Server & { url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>bare SIP.js</title><body></body>');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(Object.assign(server, { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })),
    ),
  );
}

/** The users the bare pages register as: the rig must put them in the directory, as any user. */
export const BARE_USERS = ['bare1', 'bare2'] as const;

export interface BareSipjs {
  /** One call bare1 → bare2 (auto-answer): INVITE sent → Established, ms; hung up afterwards. */
  call(): Promise<number>;
  stop(): Promise<void>;
}

/** Two bare SIP.js users (bare1 calls, bare2 answers), each in its own Chromium, registered. */
export async function startBareSipjs(home: TestHome, wssPort: number): Promise<BareSipjs> {
  const origin = `https://127.0.0.1:${wssPort}`;
  const script = await bundle();
  const server = await pageServer();
  const undoPolicy = autoSelectPolicy(origin);
  const homes: string[] = [];
  const browsers: Browser[] = [];
  const pages: Page[] = [];
  const stop = async () => {
    for (const page of pages) await page.evaluate(() => window.bare.stop()).catch(() => undefined);
    for (const browser of browsers) await browser.close();
    undoPolicy();
    server.close();
    for (const dir of homes) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const user of BARE_USERS) {
      const dir = nssHome(home, user);
      homes.push(dir);
      const browser = await launchChromium({ HOME: dir });
      browsers.push(browser);
      const page = await (await browser.newContext()).newPage();
      await page.goto(server.url);
      // Opaque (no CORS headers from Kamailio): a resolved fetch means TLS with the certificate went through.
      await page.evaluate((url) => fetch(url, { mode: 'no-cors' }).then(() => undefined), `${origin}/`);
      await page.addScriptTag({ content: script });
      await page.evaluate(
        ([server, aor]) => window.bare.start(server!, aor!),
        [`wss://127.0.0.1:${wssPort}`, `sip:${user}@localhost`],
      );
      pages.push(page);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const [caller] = pages as [Page, Page];
  return {
    async call() {
      const ms = await caller.evaluate(() => window.bare.call('sip:bare2@localhost'));
      await caller.evaluate(() => window.bare.hangup());
      return ms;
    },
    stop,
  };
}
