import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Database } from '../db/database.js';
import { PgliteDatabase } from '../db/pglite-database.js';
import type { ServerLog } from '../log.js';

/**
 * PGlite lives inside the server process, so a backup of a running server's embedded database
 * must come from that process: it answers on a Unix socket in the home that only the home's owner
 * (and root) may open. `vermittlung-admin backup` asks it for an image of the data directory.
 *
 * Wire: the client writes one line `{"op":"pglite-image"}`; the server answers one JSON line
 * (`{"ok":true,"bytes":N}` followed by N bytes, or `{"ok":false,"error":…}`) and closes.
 */
export function backupSocketPath(home: string): string {
  return join(home, 'run', 'backup.sock');
}

export async function listenForBackups(home: string, db: Database, log: ServerLog): Promise<{ close(): Promise<void> }> {
  // PostgreSQL is backed up with pg_dump, and several servers may share one home there.
  if (!(db instanceof PgliteDatabase)) return { close: () => Promise.resolve() };
  const path = backupSocketPath(home);
  mkdirSync(join(home, 'run'), { recursive: true, mode: 0o700 });
  // A socket file left by a killed server would make listen() fail with EADDRINUSE.
  rmSync(path, { force: true });
  const server: Server = createServer((socket) => {
    let request = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      request += chunk.toString();
      if (!request.includes('\n')) {
        if (request.length > 1000) socket.destroy();
        return;
      }
      socket.removeAllListeners('data');
      void answer(request.split('\n')[0]!, socket);
    });
  });
  const answer = async (line: string, socket: Socket): Promise<void> => {
    let op: unknown;
    try {
      op = (JSON.parse(line) as { op?: unknown }).op;
    } catch {
      op = undefined;
    }
    if (op !== 'pglite-image') {
      socket.end(JSON.stringify({ ok: false, error: 'unknown request' }) + '\n');
      return;
    }
    try {
      const started = Date.now();
      const image = await db.dumpDataDir();
      socket.write(JSON.stringify({ ok: true, bytes: image.length }) + '\n');
      socket.end(image);
      log('database image taken for a backup', { bytes: image.length, ms: Date.now() - started });
    } catch (error) {
      log('database image for a backup failed', { reason: (error as Error).message });
      socket.end(JSON.stringify({ ok: false, error: (error as Error).message }) + '\n');
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(path, { force: true });
      }),
  };
}

export type ImageAnswer = { kind: 'image'; image: Buffer } | { kind: 'no-server' };

/**
 * Asks the server running on `home` for an image of its embedded database. `no-server`: nobody
 * listens (the server is stopped, or runs on PostgreSQL).
 */
export function requestPgliteImage(home: string, timeoutMs = 120_000): Promise<ImageAnswer> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(backupSocketPath(home));
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not send its database within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => socket.write(JSON.stringify({ op: 'pglite-image' }) + '\n'));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve({ kind: 'no-server' });
      else reject(error);
    });
    socket.once('end', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks, received);
      const newline = all.indexOf(0x0a);
      if (newline < 0) return reject(new Error('the server closed the backup socket without an answer'));
      const header = JSON.parse(all.subarray(0, newline).toString()) as { ok: boolean; bytes?: number; error?: string };
      if (!header.ok) return reject(new Error(`the server refused the backup: ${header.error ?? 'no reason given'}`));
      const image = all.subarray(newline + 1);
      if (image.length !== header.bytes)
        return reject(new Error(`the database image is incomplete: ${image.length} of ${header.bytes} bytes`));
      resolve({ kind: 'image', image });
    });
  });
}
