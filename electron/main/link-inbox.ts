/**
 * Where tel:/sip:/callto: links arrive: the first launch's argv, a second launch's argv (forwarded
 * by the single-instance lock) and macOS `open-url`. Links that arrive before the renderer listens
 * wait here until it takes them (`desktop.links.take`); later ones go straight out as `link.dial`.
 */
import type { DialLink } from '../../protocol/index.js';
import { findDialLinkInArgv, parseDialLink } from '../core/links/parse.js';
import type { Logger } from '../core/log/logger.js';

/** A flood of links (a hostile page opening hundreds) must not pile up calls for the user. */
const MAX_PENDING = 5;

export class LinkInbox {
  private pending: DialLink[] = [];
  private listening = false;

  constructor(
    private readonly emit: (link: DialLink) => void,
    private readonly log: Logger,
  ) {}

  fromArgv(argv: readonly string[]): DialLink | null {
    return this.accept(
      findDialLinkInArgv(argv),
      'argv',
      argv.some((arg) => /^(?:tel|sip|callto):/i.test(arg)),
    );
  }

  fromUrl(url: string): DialLink | null {
    return this.accept(parseDialLink(url), 'open-url', true);
  }

  /** The renderer is listening from now on; returns what arrived before. */
  take(): DialLink[] {
    this.listening = true;
    return this.pending.splice(0);
  }

  private accept(link: DialLink | null, source: string, looked: boolean): DialLink | null {
    if (!link) {
      // The number itself stays out of the log: it is personal data and may be hostile.
      if (looked) this.log.warn('link refused', { source });
      return null;
    }
    this.log.info('link received', { source, scheme: link.scheme, kind: link.kind });
    if (this.listening) this.emit(link);
    else if (this.pending.length < MAX_PENDING) this.pending.push(link);
    return link;
  }
}
