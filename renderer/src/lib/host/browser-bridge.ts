import type { HostBridge } from '../../../../protocol/index.js';

/**
 * The browser shell's stand-in for the Electron preload: the same two functions over same-origin
 * HTTP and WebSocket. The per-launch token travels in an HttpOnly cookie the page never sees.
 *
 * Calls go over the event WebSocket once it is open (`{id, method, input}`, answered by
 * `{reply: id, result}`) and over `POST /api/invoke` before that: a socket message costs a fraction
 * of a fetch, which the phone pays for every SIP message, and keeps SIP messages in send order.
 * From `pagehide` on, calls go as `keepalive` fetches to the same `/api/invoke` (cookie token, Origin
 * check, zod validation as ever): the fetch spec lets those outlive the document, while data on a
 * socket that the unloading page closes has no such promise — and the last messages are the
 * withdraw of our presence (PUBLISH Expires: 0) and the end of our subscriptions.
 */
export function createBrowserBridge(): HostBridge {
  const listeners = new Set<(event: unknown) => void>();
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  let socket: WebSocket | undefined;
  let retry = 250;
  let nextId = 1;
  let unloading = false;
  // Capturing and registered when the bridge is made, so it runs before any pagehide handler that calls the host.
  addEventListener('pagehide', () => (unloading = true), { capture: true });
  addEventListener('pageshow', () => (unloading = false), { capture: true });

  function connect(): void {
    const url = new URL('/api/events', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const current = new WebSocket(url);
    socket = current;
    current.onopen = () => {
      retry = 250;
    };
    current.onmessage = (message) => {
      let data: unknown;
      try {
        data = JSON.parse(String(message.data));
      } catch {
        return;
      }
      const reply = data as { reply?: unknown; result?: unknown };
      if (typeof reply?.reply === 'number') {
        const call = pending.get(reply.reply);
        pending.delete(reply.reply);
        call?.resolve(reply.result);
        return;
      }
      for (const listener of listeners) listener(data);
    };
    current.onclose = () => {
      socket = undefined;
      // Whether the host ran them is unknown, as with a fetch that fails mid-way: the caller decides.
      for (const call of pending.values()) call.reject(new Error('host socket closed'));
      pending.clear();
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  }

  async function viaHttp(method: string, input: unknown, keepalive = false): Promise<unknown> {
    const response = await fetch('/api/invoke', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ method, input: input ?? null }),
      keepalive,
    });
    if (response.status === 401) {
      return { ok: false, error: { code: 'unauthorized', message: 'browser shell token missing or expired' } };
    }
    return (await response.json()) as unknown;
  }

  function viaSocket(open: WebSocket, method: string, input: unknown): Promise<unknown> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      open.send(JSON.stringify({ id, method, input: input ?? null }));
    });
  }

  return {
    shell: 'browser',
    invoke(method, input) {
      // No fallback to the socket on failure: the fetch may have reached the host, and a repeat of a
      // SIP message is worse than its loss. Over the 64 KiB keepalive budget calls fail; the PUBLISH
      // withdraw goes first, the unsubscribes after it would only expire later.
      if (unloading) return viaHttp(method, input, true);
      if (!socket) connect();
      const open = socket;
      if (open?.readyState !== WebSocket.OPEN) return viaHttp(method, input);
      return viaSocket(open, method, input);
    },
    onEvent(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => listeners.delete(listener);
    },
  };
}
