import { readFileSync } from 'node:fs';

/** The office's SMTP relay for e-mail notifications (server flags `--smtp-*`, docs/server-install.md). */
export interface SmtpSettings {
  host: string;
  port: number;
  /** The sender address, e.g. `Büroservice <post@buero.example>`. */
  from: string;
  /** `implicit` (SMTPS, usually 465), `starttls` (required, usually 587) or `none` (a relay on the same host). */
  tls: 'implicit' | 'starttls' | 'none';
  user?: string;
  password?: string;
  /** A CA certificate (PEM) the relay's certificate is checked against, instead of the system's. */
  ca?: string;
}

export interface SmtpFlags {
  'smtp-host'?: string | undefined;
  'smtp-port'?: string | undefined;
  'smtp-from'?: string | undefined;
  'smtp-tls'?: string | undefined;
  'smtp-user'?: string | undefined;
  'smtp-ca'?: string | undefined;
}

/**
 * The relay from the command line, or undefined when no `--smtp-host` is given (no e-mail). The
 * password comes from the environment (VERMITTLUNG_SMTP_PASSWORD), never from the command line,
 * where every user of the machine could read it. Throws an Error naming the flag that is wrong.
 */
export function smtpSettingsFromFlags(given: SmtpFlags, env: NodeJS.ProcessEnv = process.env): SmtpSettings | undefined {
  // The packaged unit passes every flag, empty when its variable is: empty is not given.
  const flags = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined && v !== '')) as SmtpFlags;
  if (!flags['smtp-host']) {
    // Only the TLS mode has a default in the packaged settings; anything else without a host is a mistake.
    const stray = (['smtp-port', 'smtp-from', 'smtp-user', 'smtp-ca'] as const).find((f) => flags[f] !== undefined);
    if (stray) throw new Error(`--${stray} needs --smtp-host`);
    return undefined;
  }
  const tls = flags['smtp-tls'] ?? 'starttls';
  if (tls !== 'implicit' && tls !== 'starttls' && tls !== 'none') {
    throw new Error(`--smtp-tls must be implicit, starttls or none, got ${tls}`);
  }
  const port = Number(flags['smtp-port'] ?? (tls === 'implicit' ? 465 : 587));
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`--smtp-port must be 1..65535, got ${flags['smtp-port']}`);
  const from = flags['smtp-from'];
  if (!from || !/@/.test(from)) throw new Error('--smtp-from is required with --smtp-host (the sender address)');
  let ca: string | undefined;
  if (flags['smtp-ca']) {
    try {
      ca = readFileSync(flags['smtp-ca'], 'utf8');
    } catch (error) {
      throw new Error(`--smtp-ca: cannot read ${flags['smtp-ca']}: ${(error as Error).message}`);
    }
  }
  return {
    host: flags['smtp-host'],
    port,
    from,
    tls,
    ...(flags['smtp-user'] ? { user: flags['smtp-user'], password: env.VERMITTLUNG_SMTP_PASSWORD ?? '' } : {}),
    ...(ca ? { ca } : {}),
  };
}
