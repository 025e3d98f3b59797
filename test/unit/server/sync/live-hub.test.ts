import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { LiveHub } from '../../../../server/sync/live-hub.js';

interface Peer {
  messages: string[];
  closed?: number;
}

describe('LiveHub', () => {
  let wss: WebSocketServer;
  let hub: LiveHub;
  let tenants: Record<string, string[]>;
  const clients: WebSocket[] = [];

  beforeEach(async () => {
    tenants = { anna: ['tischlerei', 'sanitaer'], carl: ['tischlerei'], ben: ['sanitaer'] };
    hub = new LiveHub((userId) => tenants[userId]);
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    hub.close();
    await new Promise((resolve) => wss.close(resolve));
  });

  /** A real socket pair; the server side joins the hub as `userId`. */
  async function connect(userId: string, serial = `${userId}-serial`): Promise<Peer> {
    const peer: Peer = { messages: [] };
    const joined = new Promise<void>((resolve) =>
      wss.once('connection', (socket) => {
        hub.add(socket, userId, serial, '7');
        resolve();
      }),
    );
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    clients.push(client);
    client.on('message', (data: Buffer) => peer.messages.push(data.toString()));
    client.on('close', (code) => (peer.closed = code));
    await joined;
    await expect.poll(() => peer.messages).toHaveLength(1); // the nudge on joining
    return peer;
  }

  it('nudges only the users who serve a changed tenant', async () => {
    const anna = await connect('anna');
    const carl = await connect('carl');
    const ben = await connect('ben');
    hub.nudge(['sanitaer'], '8');
    await expect.poll(() => anna.messages).toHaveLength(2);
    await expect.poll(() => ben.messages).toHaveLength(2);
    // A marker nudge that reaches everyone: carl's queue is in order, so sanitaer's never came.
    hub.nudge(null, '9');
    await expect.poll(() => carl.messages).toHaveLength(2);
    expect(JSON.parse(carl.messages[1]!)).toEqual({ type: 'changes', cursor: '9' });
  });

  it("announces a stored blob to the clients of the upload's firm only", async () => {
    const anna = await connect('anna');
    const carl = await connect('carl');
    const ben = await connect('ben');
    const sha256 = 'ab'.repeat(32);
    hub.blobStored(['tischlerei'], sha256);
    await expect.poll(() => carl.messages).toHaveLength(2);
    expect(JSON.parse(carl.messages[1]!)).toEqual({ type: 'blob', sha256 });
    await expect.poll(() => anna.messages).toHaveLength(2);
    // Ben serves only sanitaer: a marker nudge reaches him, the blob message never did.
    hub.nudge(null, '9');
    await expect.poll(() => ben.messages).toHaveLength(2);
    expect(JSON.parse(ben.messages[1]!)).toEqual({ type: 'changes', cursor: '9' });
  });

  it('closes the socket of a user who has left the directory at the next nudge of his tenant', async () => {
    const ben = await connect('ben');
    delete tenants.ben;
    hub.nudge(['sanitaer'], '8');
    await expect.poll(() => ben.closed).toBe(4403);
    expect(ben.messages).toHaveLength(1);
    expect(hub.socketsOf('sanitaer')).toBe(0);
  });

  it('closes, at a reindex, the sockets of users who have left the directory', async () => {
    const ben = await connect('ben');
    const carl = await connect('carl');
    delete tenants.ben;
    hub.reindex();
    await expect.poll(() => ben.closed).toBe(4403);
    expect(carl.closed).toBeUndefined();
    expect(hub.size).toBe(1);
  });

  describe('the tenant → sockets index', () => {
    it('files a socket under every tenant of its user on connect and removes it on close', async () => {
      await connect('anna');
      await connect('carl');
      expect(hub.socketsOf('tischlerei')).toBe(2);
      expect(hub.socketsOf('sanitaer')).toBe(1);
      clients[0]!.close();
      await expect.poll(() => hub.size).toBe(1);
      expect(hub.socketsOf('tischlerei')).toBe(1);
      expect(hub.socketsOf('sanitaer')).toBe(0);
    });

    it('keeps two firms apart: a nudge of one never reaches the other, a user of both hears it once', async () => {
      const anna = await connect('anna');
      const carl = await connect('carl');
      const ben = await connect('ben');
      hub.nudge(['tischlerei'], '8');
      hub.nudge(['tischlerei', 'sanitaer'], '9');
      hub.nudge(['sanitaer'], '10');
      const cursors = (peer: Peer) => peer.messages.slice(1).map((m) => (JSON.parse(m) as { cursor: string }).cursor);
      await expect.poll(() => cursors(anna)).toEqual(['8', '9', '10']);
      await expect.poll(() => cursors(ben)).toEqual(['9', '10']);
      await expect.poll(() => cursors(carl)).toEqual(['8', '9']);
      hub.nudge(null, '11');
      await expect.poll(() => cursors(carl)).toEqual(['8', '9', '11']);
    });

    it('takes a revoked socket out at once, so no nudge reaches it while it closes', async () => {
      await connect('anna', 'a1');
      const anna2 = await connect('anna', 'a2');
      hub.prune((_userId, serial) => serial !== 'a1');
      expect(hub.socketsOf('tischlerei')).toBe(1);
      expect(hub.socketsOf('sanitaer')).toBe(1);
      hub.nudge(['sanitaer'], '8');
      await expect.poll(() => anna2.messages).toHaveLength(2);
    });

    it('follows a changed directory at reindex: a tenant given is nudged, a tenant taken is not', async () => {
      const carl = await connect('carl');
      tenants.carl = ['sanitaer'];
      hub.nudge(['sanitaer'], '8'); // before the reindex the index still has carl in tischlerei only
      hub.reindex();
      expect(hub.socketsOf('tischlerei')).toBe(0);
      expect(hub.socketsOf('sanitaer')).toBe(1);
      hub.nudge(['tischlerei'], '9');
      hub.nudge(['sanitaer'], '10');
      await expect.poll(() => carl.messages).toHaveLength(2);
      expect(JSON.parse(carl.messages[1]!)).toEqual({ type: 'changes', cursor: '10' });
    });
  });

  it('drops the sockets whose access was withdrawn, and only those', async () => {
    const anna = await connect('anna', 'a1');
    const carl = await connect('carl', 'c1');
    hub.prune((userId, serial) => !(userId === 'anna' && serial === 'a1'));
    await expect.poll(() => anna.closed).toBe(4403);
    hub.nudge(null, '8');
    await expect.poll(() => carl.messages).toHaveLength(2);
    expect(carl.closed).toBeUndefined();
  });
});
