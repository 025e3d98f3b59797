import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { LiveChannel, type LiveChannelEvents } from '../../../../../electron/core/sync/live-channel.js';

const servers: WebSocketServer[] = [];
const channels: LiveChannel[] = [];

afterEach(async () => {
  for (const c of channels.splice(0)) c.close();
  for (const s of servers.splice(0)) {
    for (const client of s.clients) client.terminate();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function liveServer(): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(wss);
  await new Promise((resolve) => wss.once('listening', resolve));
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` };
}

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

function channel(url: string) {
  const events = {
    opened: vi.fn<LiveChannelEvents['opened']>(),
    announced: vi.fn<LiveChannelEvents['announced']>(),
    blobStored: vi.fn<NonNullable<LiveChannelEvents['blobStored']>>(),
    lost: vi.fn<LiveChannelEvents['lost']>(),
  };
  const warn = vi.fn();
  const live = new LiveChannel({
    open: () => new WebSocket(url),
    canOpen: () => true,
    backoff: { baseMs: 10, maxMs: 20 },
    random: () => 1,
    log: { warn },
    events,
  });
  channels.push(live);
  return { live, events, warn };
}

describe('LiveChannel', () => {
  it('reports the open socket and every well-formed announcement, ignoring garbage', async () => {
    const { wss, url } = await liveServer();
    wss.on('connection', (socket) => {
      socket.send('not json');
      socket.send(JSON.stringify({ type: 'other', cursor: '41' }));
      socket.send(JSON.stringify({ type: 'blob', sha256: 'not a hash' }));
      socket.send(JSON.stringify({ type: 'blob', sha256: 'cd'.repeat(32) }));
      socket.send(JSON.stringify({ type: 'changes', cursor: '42' }));
    });
    const { live, events } = channel(url);
    live.connect();
    await expect.poll(() => events.announced.mock.calls).toEqual([['42']]);
    expect(events.blobStored.mock.calls).toEqual([['cd'.repeat(32)]]);
    expect(events.opened).toHaveBeenCalledTimes(1);
    expect(live.active).toBe(true);
  });

  it('tells the engine a lost socket had been open, then reconnects by itself', async () => {
    const { wss, url } = await liveServer();
    let connections = 0;
    wss.on('connection', (socket) => {
      connections++;
      if (connections === 1) setTimeout(() => socket.terminate(), 20);
    });
    const { live, events } = channel(url);
    live.connect();
    await expect.poll(() => connections).toBe(2);
    expect(events.lost).toHaveBeenCalledWith(true);
    await expect.poll(() => events.opened.mock.calls.length).toBe(2);
  });

  it('stops for good when closed: no lost event, no reconnect', async () => {
    const { wss, url } = await liveServer();
    let connections = 0;
    wss.on('connection', () => connections++);
    const { live, events } = channel(url);
    live.connect();
    await expect.poll(() => events.opened.mock.calls.length).toBe(1);
    live.close();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(connections).toBe(1);
    expect(events.lost).not.toHaveBeenCalled();
    expect(live.active).toBe(false);
  });

  it('logs the errors of one outage once, with the reason', async () => {
    const port = await deadPort();
    const { live, events, warn } = channel(`ws://127.0.0.1:${port}`);
    live.connect();
    await expect.poll(() => events.lost.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(events.lost).toHaveBeenCalledWith(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![1]).toMatchObject({ reason: expect.stringContaining('ECONNREFUSED') as unknown });
  });
});
