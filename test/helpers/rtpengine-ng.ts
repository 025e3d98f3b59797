import { createSocket } from 'node:dgram';

/**
 * rtpengine's ng control protocol (bencode over UDP), enough for tests to ask what media it relays:
 * `list` (call ids) and `query` (per-tag packet counters).
 */
type Bencoded = number | string | Bencoded[] | { [key: string]: Bencoded };

function encode(value: Bencoded): string {
  if (typeof value === 'number') return `i${value}e`;
  if (typeof value === 'string') return `${Buffer.byteLength(value)}:${value}`;
  if (Array.isArray(value)) return `l${value.map(encode).join('')}e`;
  return `d${Object.keys(value)
    .sort()
    .map((key) => encode(key) + encode(value[key]!))
    .join('')}e`;
}

function decode(data: Buffer, at = 0): [Bencoded, number] {
  const c = String.fromCharCode(data[at]!);
  if (c === 'i') {
    const end = data.indexOf('e', at);
    return [Number(data.subarray(at + 1, end).toString()), end + 1];
  }
  if (c === 'l' || c === 'd') {
    const items: Bencoded[] = [];
    let pos = at + 1;
    while (data[pos] !== 0x65) {
      const [item, next] = decode(data, pos);
      items.push(item);
      pos = next;
    }
    if (c === 'l') return [items, pos + 1];
    const dict: Record<string, Bencoded> = {};
    for (let i = 0; i < items.length; i += 2) dict[items[i] as string] = items[i + 1]!;
    return [dict, pos + 1];
  }
  const colon = data.indexOf(':', at);
  const length = Number(data.subarray(at, colon).toString());
  return [data.subarray(colon + 1, colon + 1 + length).toString(), colon + 1 + length];
}

export async function ngCommand(
  port: number,
  command: Record<string, Bencoded> & { command: string },
): Promise<Record<string, Bencoded>> {
  const socket = createSocket('udp4');
  const cookie = Math.random().toString(36).slice(2, 10);
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rtpengine ng ${command.command}: no answer`)), 3000);
      socket.on('message', (message) => {
        const space = message.indexOf(' ');
        if (message.subarray(0, space).toString() !== cookie) return;
        clearTimeout(timer);
        resolve(decode(message, space + 1)[0] as Record<string, Bencoded>);
      });
      socket.send(`${cookie} ${encode(command)}`, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

/** Packets rtpengine received from each party (keyed by SIP tag) of every call it relays. */
export async function relayedPackets(port: number): Promise<Array<Record<string, number>>> {
  const list = await ngCommand(port, { command: 'list', limit: '32' });
  const result: Array<Record<string, number>> = [];
  for (const callId of (list.calls as string[] | undefined) ?? []) {
    const query = await ngCommand(port, { command: 'query', 'call-id': callId });
    const perTag: Record<string, number> = {};
    for (const [tag, info] of Object.entries((query.tags ?? {}) as Record<string, Record<string, Bencoded>>)) {
      let packets = 0;
      for (const media of (info.medias ?? []) as Array<Record<string, Bencoded>>)
        for (const stream of (media.streams ?? []) as Array<Record<string, Bencoded>>)
          packets += Number(((stream.stats as Record<string, Bencoded> | undefined)?.packets as number | undefined) ?? 0);
      perTag[tag] = packets;
    }
    result.push(perTag);
  }
  return result;
}
