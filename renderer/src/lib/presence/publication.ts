import { Publisher, PublisherState, type UserAgent } from 'sip.js';
import type { IncomingResponseMessage } from 'sip.js/lib/core';
import { buildPidf } from './pidf.js';
import type { Published } from './types.js';

/**
 * SIP.js's Publisher sends a new PUBLISH without waiting for the previous answer. When one answer
 * is an error, the publisher terminates, and the other's 200 then throws "Invalid state transition
 * from Terminated to Published" out of SIP.js's response handler — an uncaught page error. A
 * terminated publisher has nothing left to learn from a response.
 */
class TerminationSafePublisher extends Publisher {
  protected override receiveResponse(response: IncomingResponseMessage): void {
    if (this.state === PublisherState.Terminated) return;
    super.receiveResponse(response);
  }
}

/**
 * Our own PIDF document at Kamailio's presence server. SIP.js's Publisher refreshes at 90 % of
 * the granted expiry and re-publishes from scratch on 412 (Kamailio lost the ETag, e.g. after a
 * restart). A PUBLISH lost on a dead connection is never answered, so after each re-registration
 * we publish again; `withdraw()` sends Expires: 0.
 */
export class Publication {
  private publisher: Publisher | undefined;
  private current: Published | undefined;
  private note: string | undefined;

  constructor(
    private readonly ua: UserAgent,
    private readonly aor: string,
    private readonly expires: number,
    private readonly log: (level: 'info' | 'warn', message: string) => void,
  ) {}

  get status(): Published | undefined {
    return this.current;
  }

  publish(status: Published, note?: string): void {
    this.current = status;
    this.note = note;
    this.send();
  }

  /** After a reconnect or re-registration: the server may have forgotten us. */
  republish(): void {
    if (this.current) this.send();
  }

  private send(): void {
    if (!this.current) return;
    if (this.publisher?.state === PublisherState.Terminated) {
      // Refused or failed earlier: start a fresh publication rather than talk through a dead one.
      this.log('info', 'previous publication terminated; publishing afresh');
      this.publisher = undefined;
    }
    if (!this.publisher) {
      this.publisher = new TerminationSafePublisher(this.ua, this.ua.configuration.uri, 'presence', {
        expires: this.expires,
        contentType: 'application/pidf+xml',
      });
    }
    const body = buildPidf(this.aor, this.current, this.note);
    this.publisher.publish(body).catch((error: Error) => this.log('warn', `PUBLISH not sent: ${error.message}`));
  }

  /** PUBLISH Expires: 0. Bounded: on quit nobody waits for a dead connection. */
  async withdraw(timeoutMs = 1500): Promise<void> {
    const publisher = this.publisher;
    this.publisher = undefined;
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
    // dispose() would unpublish again; the timers are what must go.
    void publisher.dispose().catch(() => undefined);
  }
}
