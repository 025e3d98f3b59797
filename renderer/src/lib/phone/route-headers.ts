import { FirmMode } from '../../../../protocol/firm-day.js';
import { ROUTE_FALLBACK_HEADER, ROUTE_MODE_HEADER, RouteFallback } from '../../../../protocol/firm-routing.js';

/** How the PBX routed a firm's call to us: the firm's mode, and why the craftsmen's ring ended (fallback). */
export interface CallRoute {
  mode: FirmMode | undefined;
  fallback: RouteFallback | undefined;
}

/**
 * The PBX's routing headers of an incoming INVITE (protocol/firm-routing.ts). The PBX strips them from
 * what callers send, so they are its word; a value outside the contract counts as absent, and then
 * the card computes the mode from the synced schedule instead.
 */
export function routeOf(request: { getHeader(name: string): string | undefined }): CallRoute | undefined {
  const mode = FirmMode.safeParse(request.getHeader(ROUTE_MODE_HEADER)?.trim());
  const fallback = RouteFallback.safeParse(request.getHeader(ROUTE_FALLBACK_HEADER)?.trim());
  if (!mode.success && !fallback.success) return undefined;
  return { mode: mode.success ? mode.data : undefined, fallback: fallback.success ? fallback.data : undefined };
}
