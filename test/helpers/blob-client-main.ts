/**
 * A client uploading one document in its own process, so a test can SIGKILL it mid-upload and
 * resume it on the same SQLite file and cache. Prints `resume <offset>`, `chunk <offset>`, `done`.
 *   tsx test/helpers/blob-client-main.ts URL DIR KEY CERT CA FILE TENANT CHUNK_DELAY_MS
 */
import { readFileSync } from 'node:fs';
import { openBlobClient } from './blob-client.js';

const [url, dir, keyFile, certFile, caFile, file, tenant, delay] = process.argv.slice(2);
const tls = { key: readFileSync(keyFile!, 'utf8'), cert: readFileSync(certFile!, 'utf8'), ca: readFileSync(caFile!, 'utf8') };
const client = openBlobClient(dir!, url!, () => tls, {
  chunkDelayMs: Number(delay),
  onResume: (_sha, offset) => process.stdout.write(`resume ${offset}\n`),
  onChunk: (_sha, offset) => process.stdout.write(`chunk ${offset}\n`),
});
const { sha256 } = await client.uploader.enqueue(file!, tenant!);
process.stdout.write(`queued ${sha256}\n`);
while ((await client.uploader.drain()) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
process.stdout.write(`done ${client.uploader.pending().length}\n`);
await client.close();
