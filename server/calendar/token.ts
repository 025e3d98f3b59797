import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Directory, DirectoryTenantEntry } from '../home/directory.js';

/** 32 random bytes, base64url: 43 characters, the only secret of a feed URL. */
export function newCalendarToken(): string {
  return randomBytes(32).toString('base64url');
}

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Hashing first gives equal-length inputs, so the comparison leaks neither content nor length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The firm whose feed token this is; every tenant is compared so the timing does not depend on which one matches. */
export function tenantByToken(directory: Directory, token: string): DirectoryTenantEntry | undefined {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const wanted = digest(token);
  let found: DirectoryTenantEntry | undefined;
  for (const tenant of directory.tenants) {
    if (tenant.calendarToken && timingSafeEqual(digest(tenant.calendarToken), wanted)) found ??= tenant;
  }
  return found;
}

/** The public path of a feed; the URL is `serverUrl` + this. */
export function feedPath(token: string): string {
  return `/calendar/${token}.ics`;
}
