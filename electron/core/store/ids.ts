import { randomFillSync } from 'node:crypto';

const pool = new Uint8Array(16 * 512);
let used = pool.length;
let lastMs = -Infinity;
let seq = 0;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * UUIDv7, monotonic within this process like uuid's own v7 (a counter inside the millisecond), but
 * with random bytes taken from a pool: one getRandomValues call per id was a large share of an
 * import's time per contact. The layout is uuid's v7 (48-bit ms, 31-bit counter from random
 * bits, then 42 random bits), written out directly, because uuid's options path builds a byte array
 * and stringifies it (figures in docs/store.md).
 */
export function newId(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const r = used;
  used += 16;
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // uuid's choice: a random 31-bit start leaves room to count up within the millisecond.
    seq = ((pool[r + 6]! & 0x7f) << 24) | (pool[r + 7]! << 16) | (pool[r + 8]! << 8) | pool[r + 9]!;
  } else {
    seq = (seq + 1) | 0;
    if (seq === 0) lastMs++;
  }
  const ms = lastMs;
  return (
    HEX[(ms / 0x10000000000) & 0xff]! +
    HEX[(ms / 0x100000000) & 0xff]! +
    HEX[(ms / 0x1000000) & 0xff]! +
    HEX[(ms / 0x10000) & 0xff]! +
    '-' +
    HEX[(ms / 0x100) & 0xff]! +
    HEX[ms & 0xff]! +
    '-' +
    HEX[0x70 | ((seq >>> 28) & 0x0f)]! +
    HEX[(seq >>> 20) & 0xff]! +
    '-' +
    HEX[0x80 | ((seq >>> 14) & 0x3f)]! +
    HEX[(seq >>> 6) & 0xff]! +
    '-' +
    HEX[((seq << 2) & 0xff) | (pool[r + 10]! & 0x03)]! +
    HEX[pool[r + 11]!]! +
    HEX[pool[r + 12]!]! +
    HEX[pool[r + 13]!]! +
    HEX[pool[r + 14]!]! +
    HEX[pool[r + 15]!]!
  );
}
