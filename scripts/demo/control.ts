/**
 * The customer's remote control: a small page on 127.0.0.1 (behind a per-run token, like the browser
 * shell) and, when stdin is a terminal, single keys. "1 = Kunde ruft die Tischlerei an", …,
 * "a = alle 2 Minuten ein Anruf". The page shows the calls in progress and how they ended.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomerCall } from './customer.js';
import { controlPage } from './control-page.js';

export type CallerKind = 'known' | 'unknown';

export interface ControlAction {
  key: string;
  label: string;
  firm: string;
  caller: CallerKind;
}

export interface ControlOptions {
  actions: ControlAction[];
  call(firm: string, caller: CallerKind): Promise<void>;
  hangupAll(): Promise<void>;
  calls(): CustomerCall[];
  /** Automatic calls: every `autoEveryMs` a random action (default 2 minutes). */
  autoEveryMs?: number;
  onStop(): void;
  say(line: string): void;
}

export interface Control {
  url: string;
  port: number;
  auto(): boolean;
  close(): Promise<void>;
}

export async function startControl(options: ControlOptions): Promise<Control> {
  const token = randomBytes(18).toString('base64url');
  let port = 0;
  let autoTimer: NodeJS.Timeout | undefined;
  let autoCount = 0;
  const every = options.autoEveryMs ?? 120_000;

  const run = (action: ControlAction) =>
    options.call(action.firm, action.caller).catch((error: Error) => options.say(`Anruf fehlgeschlagen: ${error.message}`));
  const setAuto = (on: boolean) => {
    clearInterval(autoTimer);
    autoTimer = undefined;
    if (!on) return options.say('Automatische Anrufe aus.');
    const next = () => {
      // Every third automatic caller is someone the firm does not know yet.
      const firms = [...new Set(options.actions.map((a) => a.firm))];
      const firm = firms[autoCount % firms.length]!;
      const caller: CallerKind = autoCount % 3 === 2 ? 'unknown' : 'known';
      autoCount++;
      void run({ key: 'a', label: 'automatisch', firm, caller });
    };
    autoTimer = setInterval(next, every);
    next();
    options.say(`Automatische Anrufe an: alle ${Math.round(every / 60_000)} Minuten ein Anruf.`);
  };

  const authorised = (req: IncomingMessage, url: URL) => {
    if (req.headers.host !== `127.0.0.1:${port}` && req.headers.host !== `localhost:${port}`) return false;
    const presented = url.searchParams.get('token') ?? req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    const [a, b] = [Buffer.from(presented), Buffer.from(token)];
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(value));
  };
  const state = () => ({
    auto: autoTimer !== undefined,
    actions: options.actions.map(({ key, label }) => ({ key, label })),
    calls: options
      .calls()
      .slice(-12)
      .map((c) => ({
        id: c.plan.id,
        firm: c.plan.firmName,
        from: c.plan.from,
        knownAs: c.plan.knownAs,
        state: c.state,
        ending: c.ending,
        startedAt: new Date(c.startedAt).toISOString(),
      })),
  });

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    if (!authorised(req, url)) return json(res, 401, { error: 'token required' });
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(controlPage());
    }
    if (req.method === 'GET' && url.pathname === '/api/state') return json(res, 200, state());
    if (req.method !== 'POST') return json(res, 405, { error: 'method not allowed' });
    if (url.pathname === '/api/key') {
      const key = url.searchParams.get('key') ?? '';
      const action = options.actions.find((a) => a.key === key);
      if (action) void run(action);
      else if (key === 'a') setAuto(autoTimer === undefined);
      else if (key === 'h') void options.hangupAll();
      else return json(res, 400, { error: `unknown key "${key}"` });
      return json(res, 200, state());
    }
    return json(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  const stdin = process.stdin;
  const onKey = (data: Buffer) => {
    const key = data.toString();
    // Raw mode swallows the terminal's Ctrl-C and Ctrl-D: they still end the demo.
    if (key === '\u0003' || key === '\u0004' || key === 'q') return options.onStop();
    const action = options.actions.find((a) => a.key === key);
    if (action) {
      options.say(`→ ${action.label}`);
      void run(action);
    } else if (key === 'a') setAuto(autoTimer === undefined);
    else if (key === 'h') void options.hangupAll();
  };
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onKey);
  }

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    auto: () => autoTimer !== undefined,
    close: async () => {
      clearInterval(autoTimer);
      if (stdin.isTTY) {
        stdin.off('data', onKey);
        stdin.setRawMode(false);
        stdin.pause();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
