import { Publisher, PublisherState, type UserAgent } from 'sip.js';
import type { IncomingResponseMessage } from 'sip.js/lib/core';
import type { DocumentMemory } from './document-memory.js';
import { buildPidf } from './pidf.js';
import type { Published } from './types.js';

/**
 * SIP.js's Publisher sends a new PUBLISH without waiting for the previous answer. When one answer
 * is an error, the publisher terminates, and the other's 200 then throws "Invalid state transition
 * from Terminated to Published" out of SIP.js's response handler — an uncaught page error. A
 * terminated publisher has nothing left to learn from a response.
 */
class TerminationSafePublisher extends Publisher {
  /** Called after each final response SIP.js has handled, with whether it is sending again itself. */
  onFinal: ((resending: boolean) => void) | undefined;
  /** A 2xx: the document's ETag and the expiry the PBX granted. */
  onStored: ((etag: string | undefined, expires: number) => void) | undefined;

  protected override receiveResponse(response: IncomingResponseMessage): void {
    if (this.state === PublisherState.Terminated) return;
    super.receiveResponse(response);
    const code = response.statusCode ?? 0;
    if (code < 200) return;
    if (code < 300) this.onStored?.(response.getHeader('SIP-ETag'), Number(response.getHeader('Expires') ?? 0));
    // On 412/423 SIP.js has already re-sent the PUBLISH (unless it gave up and terminated).
    const terminated = (this.state as PublisherState) === PublisherState.Terminated;
    const resending = (code === 412 || code === 423) && !terminated;
    this.onFinal?.(resending);
  }
}

const newInstanceId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');

/** No final answer to a PUBLISH in this time (lost on a dead connection): stop waiting for it. */
const ANSWER_WAIT_MS = 5000;

/**
 * Our own PIDF document at Kamailio's presence server. SIP.js's Publisher refreshes at 90 % of
 * the granted expiry and re-publishes from scratch on 412 (Kamailio lost the ETag, e.g. after a
 * restart). A PUBLISH lost on a dead connection is never answered, so after each re-registration
 * we publish again; `withdraw()` sends Expires: 0.
 * One PUBLISH at a time: a change while one is unanswered waits for that answer (only the latest
 * status is sent). Sent at once, it would carry the old ETag, get 412, and SIP.js would publish a
 * second document while the first — an outdated status — stayed on the server until it expired.
 * A PUBLISH unanswered for ANSWER_WAIT_MS on a link that stalls without breaking (no RST, no new
 * registration) may still arrive and be answered: its publisher is given up like after a
 * reconnect, and the status goes out as a new document.
 */
export class Publication {
  private publisher: TerminationSafePublisher | undefined;
  /** Names the document of the current publisher (see `PidfDocument.instance`). */
  private instance = '';
  private current: Published | undefined;
  private note: string | undefined;
  private unanswered: ReturnType<typeof setTimeout> | undefined;
  private pending = false;
  private leftoverChecked = false;

  constructor(
    private readonly ua: UserAgent,
    private readonly aor: string,
    private readonly expires: number,
    private readonly log: (level: 'info' | 'warn', message: string) => void,
    private readonly memory: DocumentMemory,
  ) {}

  get status(): Published | undefined {
    return this.current;
  }

  /**
   * `reconnected`: a new registration. A PUBLISH still unanswered then may have been lost with the
   * old connection, or may still be answered: its publisher is given up, not reused — a second
   * initial PUBLISH through it would store a second document of the same tuple id, and Kamailio
   * would go on showing the older one, whatever the newer one says.
   */
  publish(status: Published, note?: string, reconnected = false): void {
    this.current = status;
    this.note = note;
    if (reconnected && this.unanswered) this.abandon();
    this.send();
  }

  /** The publisher with a PUBLISH in flight: should it still be stored, it is withdrawn at once. */
  private abandon(): void {
    clearTimeout(this.unanswered);
    this.unanswered = undefined;
    this.pending = false;
    const publisher = this.publisher;
    this.publisher = undefined;
    if (!publisher) return;
    publisher.onFinal = undefined;
    publisher.onStored = (_etag, expires) => {
      if (expires > 0) void publisher.unpublish();
      else void publisher.dispose().catch(() => undefined);
    };
  }

  private send(): void {
    if (!this.current) return;
    if (this.unanswered) {
      this.pending = true;
      return;
    }
    if (this.publisher?.state === PublisherState.Terminated) {
      // Refused or failed earlier: start a fresh publication rather than talk through a dead one.
      this.log('info', 'previous publication terminated; publishing afresh');
      this.publisher = undefined;
    }
    if (!this.publisher) {
      this.removeLeftover();
      const publisher = new TerminationSafePublisher(this.ua, this.ua.configuration.uri, 'presence', {
        expires: this.expires,
        contentType: 'application/pidf+xml',
      });
      publisher.onStored = (etag, expires) => {
        if (this.publisher === publisher) this.memory.remember(this.aor, etag, expires);
      };
      publisher.onFinal = (resending) => {
        if (this.publisher !== publisher) return;
        if (resending) this.awaitAnswer();
        else this.answered();
      };
      this.publisher = publisher;
      // A new publisher is a new document at the PBX, next to any the server still holds for us.
      this.instance = newInstanceId();
    }
    this.awaitAnswer();
    const body = buildPidf({ entity: this.aor, instance: this.instance, status: this.current, note: this.note, at: new Date() });
    this.publisher.publish(body).catch((error: Error) => this.log('warn', `PUBLISH not sent: ${error.message}`));
  }

  /** Once per page: the document a page before us published and could not withdraw. */
  private removeLeftover(): void {
    if (this.leftoverChecked) return;
    this.leftoverChecked = true;
    const etag = this.memory.recall(this.aor);
    if (!etag) return;
    this.log('info', 'removing the presence document an earlier page left at the PBX');
    const target = this.ua.configuration.uri;
    const core = this.ua.userAgentCore;
    const headers = ['Event: presence', 'Expires: 0', `SIP-If-Match: ${etag}`];
    // 200: removed; 412: it had expired or was withdrawn after all. Either way nothing is left.
    core.publish(core.makeOutgoingRequestMessage('PUBLISH', target, target, target, {}, headers), {});
  }

  private awaitAnswer(): void {
    if (this.unanswered) clearTimeout(this.unanswered);
    this.unanswered = setTimeout(() => this.stalled(), ANSWER_WAIT_MS);
  }

  /**
   * The PBX may still store the unanswered PUBLISH and rotate its ETag. Going on through the same
   * publisher would send the old ETag, get 412, and leave two documents — the stalled one shown
   * until it expired. Given up, it is withdrawn if it is stored after all.
   */
  private stalled(): void {
    this.log('info', `PUBLISH unanswered after ${ANSWER_WAIT_MS / 1000} s; publishing afresh`);
    this.abandon();
    this.send();
  }

  private answered(): void {
    if (this.unanswered) clearTimeout(this.unanswered);
    this.unanswered = undefined;
    if (!this.pending) return;
    this.pending = false;
    this.send();
  }

  /** PUBLISH Expires: 0. Bounded: on quit nobody waits for a dead connection. */
  async withdraw(timeoutMs = 1500): Promise<void> {
    const publisher = this.publisher;
    this.publisher = undefined;
    if (this.unanswered) clearTimeout(this.unanswered);
    this.unanswered = undefined;
    this.pending = false;
    this.current = undefined;
    if (!publisher) return;
    await Promise.race([
      new Promise<void>((resolve) => {
        publisher.stateChange.addListener((state) => {
          if (state === PublisherState.Unpublished || state === PublisherState.Terminated) resolve();
        });
        publisher.unpublish().catch(() => resolve());
      }),
      new Promise((resolve) => setTimeout(resolve, timeoutMs)),
    ]);
    // Withdrawn: nothing left to remove. Unanswered: the next page removes it with the kept ETag.
    if (publisher.state === PublisherState.Unpublished) this.memory.remember(this.aor, undefined, 0);
    // dispose() would unpublish again; the timers are what must go.
    void publisher.dispose().catch(() => undefined);
  }
}
