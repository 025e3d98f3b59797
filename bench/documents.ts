/**
 * `npm run bench -- documents`: documents' bytes over the sync server's mutual TLS on loopback,
 * stored in PostgreSQL (a fresh database on 127.0.0.1:5432, dropped afterwards). Server, client and
 * the baseline share this process and the machine's cores, so the figures are conservative.
 *
 * - `upload_mb_per_s`: one file through the product path (upload queue, requests of up to 8 MiB
 *   streamed from the file, stored in 1 MiB pieces each in its own transaction while the next
 *   arrives, the hash verified at the end), against `raw_https_put_mb_per_s`, the same
 *   bytes in one HTTPS PUT to a server that only counts them, in the same run.
 * - `upload_rss_growth_mb`: how much the process's resident memory grows while a large file (500 MB;
 *   small in smoke) is uploaded and stored: it streams, so this stays near a few chunks.
 * - `filed_to_visible_p95_ms`: a 5 MB scan filed at one desk (`documents.add` in the app core: the
 *   record pushed, the bytes uploaded beside it) until the craftsman's app core lists it as cached
 *   (pulled over the live socket, prefetched as soon as that socket says the bytes are stored).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../electron/core/composition.js';
import { MemorySecretStore } from '../electron/core/identity/secret-store.js';
import { openBlobClient, writeTestPdfStreamed } from '../test/helpers/blob-client.js';
import { TEST_DIRECTORY, syncFixture } from '../test/helpers/sync-fixture.js';
import { emit, percentile, runSuite, size, step } from './_metrics.js';
import { suiteDeadlineMs } from './_suites.js';

const SUITE = 'documents';
const MB = 1024 * 1024;
const SPEED_MB = size(100, 8);
const LARGE_MB = size(500, 24);
const SCAN_MB = size(5, 1);
const VISIBLE_ROUNDS = size(20, 3);

/** A raw HTTPS PUT of the file to a server with the same TLS material that discards what it gets. */
async function rawPut(file: string, tls: { key: string; cert: string; ca: string }, serverTls: { key: string; cert: string }) {
  const server = createServer({ ...serverTls, ca: tls.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => res.end(String(bytes)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const started = performance.now();
    const received = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'PUT',
          path: '/',
          ...tls,
          servername: 'localhost',
          checkServerIdentity: () => undefined,
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(Number(text)));
        },
      );
      req.on('error', reject);
      createReadStream(file).pipe(req);
    });
    return { seconds: (performance.now() - started) / 1000, received };
  } finally {
    server.close();
  }
}

await runSuite(SUITE, suiteDeadlineMs(SUITE), async () => {
  const work = mkdtempSync(join(tmpdir(), 'vermittlung-bench-documents-'));
  const f = await step('start server', 120_000, () =>
    syncFixture('postgres', TEST_DIRECTORY, { maxBlobBytes: (LARGE_MB + 1) * MB }),
  );
  try {
    const tls = f.tls('anna');
    const speedFile = join(work, 'speed.pdf');
    const speedBytes = await step('write speed file', 120_000, () => writeTestPdfStreamed(speedFile, SPEED_MB * MB));

    const raw = await step('raw https put', 120_000, () =>
      rawPut(speedFile, tls, {
        key: readFileSync(f.home.layout.serverKey, 'utf8'),
        cert: readFileSync(f.home.layout.serverCert, 'utf8'),
      }),
    );
    if (raw.received !== speedBytes) throw new Error(`the raw PUT delivered ${raw.received} of ${speedBytes} bytes`);
    const rawMbPerS = speedBytes / MB / raw.seconds;

    const client = openBlobClient(
      join(work, 'client'),
      () => f.url,
      () => tls,
    );
    try {
      const uploadMbPerS = await step('upload', 300_000, async () => {
        await client.uploader.enqueue(speedFile, 'tischlerei');
        const started = performance.now();
        if ((await client.uploader.drain()) !== 0)
          throw new Error(`the upload did not complete: ${client.uploader.pending()[0]?.lastError}`);
        return speedBytes / MB / ((performance.now() - started) / 1000);
      });
      emit(SUITE, 'raw_https_put_mb_per_s', rawMbPerS, 'MB/s');
      emit(SUITE, 'upload_mb_per_s', uploadMbPerS, 'MB/s');
      emit(SUITE, 'upload_vs_raw_put_ratio', uploadMbPerS / rawMbPerS, 'ratio');

      const largeFile = join(work, 'large.pdf');
      await step('write large file', 300_000, () => writeTestPdfStreamed(largeFile, LARGE_MB * MB));
      const growth = await step('large upload', 900_000, async () => {
        await client.uploader.enqueue(largeFile, 'tischlerei');
        global.gc?.();
        const before = process.memoryUsage().rss;
        let peak = before;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
        try {
          if ((await client.uploader.drain()) !== 0)
            throw new Error(`the large upload did not complete: ${client.uploader.pending()[0]?.lastError}`);
        } finally {
          clearInterval(sampler);
        }
        peak = Math.max(peak, process.memoryUsage().rss);
        return (peak - before) / MB;
      });
      emit(SUITE, 'upload_rss_growth_mb', growth, 'MB');

      const samples = await step('filed to visible', 600_000, async () => {
        // Through the app core on both sides: filed with documents.add at one desk, until the
        // craftsman's app has pulled the record (live socket) and prefetched the bytes.
        const core = (user: string, prefetch: boolean) =>
          createCore({
            profileDir: join(work, `core-${user}`),
            appVersion: '0.0.0-bench',
            shell: 'browser',
            secretStores: [new MemorySecretStore()],
            syncEndpoint: () => ({ url: f.url, tls: f.tls(user) }),
            documentPrefetch: prefetch,
          });
        const anna = core('anna', false);
        const carl = core('carl', true);
        const ctx = { origin: 'bench' };
        const times: number[] = [];
        try {
          for (let round = 0; round < VISIBLE_ROUNDS; round++) {
            const scan = join(work, `scan-${round}.pdf`);
            await writeTestPdfStreamed(scan, SCAN_MB * MB);
            const base64 = readFileSync(scan).toString('base64');
            const attach = { table: 'mail_item', id: randomUUID() };
            const started = performance.now();
            const added = await anna.dispatch(
              'documents.add',
              { tenant: 'tischlerei', source: { from: 'bytes', name: `scan-${round}.pdf`, base64 }, attach },
              ctx,
            );
            if (!added.ok) throw new Error(`documents.add failed: ${added.error.message}`);
            for (;;) {
              const listed = await carl.dispatch('documents.list', { attach }, ctx);
              if (listed.ok && (listed.value as { cached: boolean }[])[0]?.cached) break;
              if (performance.now() - started > 60_000) throw new Error('the scan did not reach the other desk within 60 s');
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
            times.push(performance.now() - started);
          }
        } finally {
          await anna.close();
          await carl.close();
        }
        return times;
      });
      emit(SUITE, 'filed_to_visible_p95_ms', percentile(samples, 0.95), 'ms');
    } finally {
      await client.close();
    }
  } finally {
    await step('clean-up', 60_000, async () => {
      await f.close();
      rmSync(work, { recursive: true, force: true });
    });
  }
});
