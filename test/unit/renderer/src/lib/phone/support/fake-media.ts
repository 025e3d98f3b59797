import type {
  BodyAndContentType,
  SessionDescriptionHandler,
  SessionDescriptionHandlerFactory,
  SessionDescriptionHandlerOptions,
} from 'sip.js';

/**
 * A session description handler without WebRTC: it offers and answers a fixed audio SDP, holds with
 * sendonly as the browser's does (the engine's hold asks for `{ hold: true }` in the re-INVITE
 * options), and keeps the DTMF it was asked to send, so calls run in Node without Chromium.
 */
export class FakeMedia implements SessionDescriptionHandler {
  /** The SDP the far end sent last. */
  remote: string | undefined;
  readonly dtmf: string[] = [];
  closed = false;

  getDescription(options?: SessionDescriptionHandlerOptions): Promise<BodyAndContentType> {
    const hold = (options as { hold?: boolean } | undefined)?.hold === true;
    return Promise.resolve({ body: fakeSdp(hold ? 'sendonly' : 'sendrecv'), contentType: 'application/sdp' });
  }

  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }

  setDescription(sdp: string): Promise<void> {
    this.remote = sdp;
    return Promise.resolve();
  }

  rollbackDescription(): Promise<void> {
    return Promise.resolve();
  }

  sendDtmf(tones: string): boolean {
    this.dtmf.push(tones);
    return true;
  }

  close(): void {
    this.closed = true;
  }
}

export const fakeMediaFactory: SessionDescriptionHandlerFactory = () => new FakeMedia();

function fakeSdp(direction: 'sendrecv' | 'sendonly'): string {
  return [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 40000 RTP/AVP 0 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    `a=${direction}`,
    '',
  ].join('\r\n');
}
