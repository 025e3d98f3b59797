export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/**
 * The direction the audio section of an SDP body declares (media level wins over session level).
 * A far end that offers sendonly or inactive is holding us.
 */
export function audioDirection(sdp: string | undefined): MediaDirection {
  if (!sdp) return 'sendrecv';
  let session: MediaDirection | undefined;
  let inAudio = false;
  let media: MediaDirection | undefined;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      if (inAudio && media) break;
      inAudio = line.startsWith('m=audio');
      continue;
    }
    const match = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line);
    if (!match) continue;
    const direction = match[1] as MediaDirection;
    if (inAudio) media = direction;
    else if (media === undefined && !inAudio) session ??= direction;
  }
  // A held connection address 0.0.0.0 is the old (RFC 2543) way to say hold.
  if (!media && !session && /^c=IN IP4 0\.0\.0\.0$/m.test(sdp)) return 'inactive';
  return media ?? session ?? 'sendrecv';
}

/** True when an offer with this direction puts us on hold. */
export function isHoldOffer(direction: MediaDirection): boolean {
  return direction === 'sendonly' || direction === 'inactive';
}
