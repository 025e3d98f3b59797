/**
 * tel:, sip: and callto: links as the OS hands them over (a command-line argument on Windows and
 * Linux, an `open-url` event on macOS). Anyone can craft such a link in a web page or an e-mail, so
 * the parser accepts only what can be dialled and rebuilds the target from the validated parts:
 * nothing of the raw link (parameters, headers, scripts) ever reaches the renderer.
 */
import { DialLink, DialNumber } from '../../../protocol/index.js';

/** Longer inputs are refused before any parsing work. */
export const MAX_LINK_LENGTH = 512;

const SCHEMES = ['tel', 'sip', 'callto'] as const;
type Scheme = (typeof SCHEMES)[number];

/** Visual separators that RFC 3966 allows inside a number (and spaces people type anyway). */
const VISUAL_SEPARATORS = /[\s\-.()/\u00a0]/g;

export function parseDialLink(raw: unknown): DialLink | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LINK_LENGTH) return null;
  const colon = raw.indexOf(':');
  if (colon < 0) return null;
  const scheme = raw.slice(0, colon).toLowerCase();
  if (!isScheme(scheme)) return null;
  const rest = decode(raw.slice(colon + 1));
  if (rest === null) return null;
  switch (scheme) {
    case 'tel':
      return numberLink(rest, 'tel');
    case 'sip':
      return sipLink(rest, 'sip');
    case 'callto': {
      // callto://0301234 and callto:0301234 are both in the wild.
      const target = rest.replace(/^\/\//, '').replace(/\/$/, '');
      return target.includes('@') ? sipLink(target, 'callto') : numberLink(target, 'callto');
    }
  }
}

/**
 * The first dialable link in a command line. Chromium switches (`--foo`) are skipped, never parsed:
 * a link is always a separate argument, so a hostile link cannot smuggle switches in.
 */
export function findDialLinkInArgv(argv: readonly string[]): DialLink | null {
  for (const arg of argv.slice(0, 64)) {
    if (typeof arg !== 'string' || arg.startsWith('-')) continue;
    if (!/^(?:tel|sip|callto):/i.test(arg)) continue;
    const link = parseDialLink(arg);
    if (link) return link;
  }
  return null;
}

function isScheme(value: string): value is Scheme {
  return (SCHEMES as readonly string[]).includes(value);
}

function decode(value: string): string | null {
  try {
    const decoded = decodeURIComponent(value);
    // Control characters have no business in a number or an address.
    return [...decoded].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) ? null : decoded.trim();
  } catch {
    return null;
  }
}

function numberLink(text: string, scheme: 'tel' | 'callto'): DialLink | null {
  // RFC 3966 parameters (;phone-context=…, ;ext=…) are dropped: the PBX dials what the user sees.
  const number = text.split(';', 1)[0]!.replace(VISUAL_SEPARATORS, '');
  if (!DialNumber.safeParse(number).success) return null;
  return validated({ kind: 'number', number, scheme });
}

function sipLink(text: string, scheme: 'sip' | 'callto'): DialLink | null {
  // URI parameters (;transport=…, ;maddr=…) and headers (?Subject=…) could redirect the call
  // elsewhere; the app uses its own transport and dials only user@host[:port].
  const core = text.split(/[;?]/, 1)[0]!;
  const at = core.lastIndexOf('@');
  if (at <= 0) return null;
  const user = core.slice(0, at);
  const host = core.slice(at + 1).toLowerCase();
  const port = /:(\d{1,5})$/.exec(host);
  if (port && (Number(port[1]) < 1 || Number(port[1]) > 65535)) return null;
  return validated({ kind: 'sip', uri: `sip:${user}@${host}`, scheme });
}

function validated(candidate: DialLink): DialLink | null {
  const result = DialLink.safeParse(candidate);
  return result.success ? result.data : null;
}
