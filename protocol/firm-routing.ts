/**
 * What the PBX tells an app about how it routed a firm's call, so the call card can say why it rings
 * here ("Sprechstunde bis 12:00 – der Inhaber hat abgelehnt"). The PBX strips these headers from
 * everything it receives and sets them itself on the INVITEs it forks to the firm's people.
 */
import { z } from 'zod';

/** The firm's mode when the call arrived: consultation, service or closed (protocol/firm-mode.ts). */
export const ROUTE_MODE_HEADER = 'X-Vermittlung-Mode';
/** Set only on the fallback branch: why the craftsmen's ring ended before the teleworkers rang. */
export const ROUTE_FALLBACK_HEADER = 'X-Vermittlung-Fallback';

export const RouteFallback = z.enum(['declined', 'busy', 'no-answer', 'unregistered']);
export type RouteFallback = z.infer<typeof RouteFallback>;
