import type { HostBridge } from '../../../../protocol/index.js';

/**
 * The browser shell's stand-in for the Electron preload: the same two functions over same-origin
 * HTTP and WebSocket. The per-launch token travels in an HttpOnly cookie the page never sees.
 */
export function createBrowserBridge(): HostBridge {
  const listeners = new Set<(event: unknown) => void>();
  let socket: WebSocket | undefined;
  let retry = 250;

  function connect(): void {
    const url = new URL('/api/events', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url);
    socket.onopen = () => {
      retry = 250;
    };
    socket.onmessage = (message) => {
      let data: unknown;
      try {
        data = JSON.parse(String(message.data));
      } catch {
        return;
      }
      for (const listener of listeners) listener(data);
    };
    socket.onclose = () => {
      socket = undefined;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  }

  return {
    shell: 'browser',
    async invoke(method, input) {
      const response = await fetch('/api/invoke', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ method, input: input ?? null }),
      });
      if (response.status === 401) {
        return { ok: false, error: { code: 'unauthorized', message: 'browser shell token missing or expired' } };
      }
      return (await response.json()) as unknown;
    },
    onEvent(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => listeners.delete(listener);
    },
  };
}
