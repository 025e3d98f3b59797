import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log/logger.js';

/**
 * Machine-wide settings IT deploys next to the installer (a file only administrators can write):
 * which office-service CAs this installation trusts. With a pin, a provisioning bundle signed by
 * any other CA is refused at import, even when it is internally consistent — the bundle's own CA
 * proves nothing about who made it.
 *
 *   { "pinnedCaSha256": ["<hex SHA-256 of the CA certificate's DER>"] }
 *
 * `VERMITTLUNG_PINNED_CA_SHA256` (comma-separated) adds pins for development and tests.
 */
export const InstallPolicy = z.strictObject({
  pinnedCaSha256: z.array(z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256')).default([]),
});
export type InstallPolicy = z.infer<typeof InstallPolicy>;

export function defaultPolicyFile(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'Vermittlung', 'policy.json');
  if (platform === 'darwin') return '/Library/Application Support/Vermittlung/policy.json';
  return '/etc/vermittlung/policy.json';
}

/**
 * A missing file means no policy. A file that exists but cannot be read or parsed is an error: an
 * installation IT meant to lock down must not silently run unlocked.
 */
export function readInstallPolicy(file: string, env: NodeJS.ProcessEnv = process.env): InstallPolicy {
  let fromFile: InstallPolicy = { pinnedCaSha256: [] };
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`install policy ${file} is unreadable: ${String(error)}`);
  }
  if (text !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`install policy ${file} is not JSON`);
    }
    const parsed = InstallPolicy.safeParse(json);
    if (!parsed.success) throw new Error(`install policy ${file} is invalid: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
    fromFile = parsed.data;
  }
  const fromEnv = (env.VERMITTLUNG_PINNED_CA_SHA256 ?? '')
    .split(',')
    .map((pin) => pin.trim().toLowerCase())
    .filter((pin) => pin !== '');
  return InstallPolicy.parse({ pinnedCaSha256: [...new Set([...fromFile.pinnedCaSha256, ...fromEnv])] });
}

/** Matches no fingerprint: what an unusable policy pins, so that every bundle is refused. */
const REFUSE_ALL = 'policy-unusable';

/**
 * The CA pins for the identity service. An unusable policy file is logged and pins nothing that
 * can match: IT meant to lock this machine down, so no CA is trusted rather than any.
 */
export function installationPins(file: string, log: Logger, env: NodeJS.ProcessEnv = process.env): string[] {
  try {
    return readInstallPolicy(file, env).pinnedCaSha256;
  } catch (error) {
    log.error('install policy unusable; every provisioning bundle will be refused', { reason: String(error) });
    return [REFUSE_ALL];
  }
}
