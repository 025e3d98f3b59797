/**
 * Presence on the host API: the directory of people this user may see (the team view subscribes
 * to their presence at the PBX). The core asks the sync server's GET /directory/me with the
 * identity's client certificate; SIP presence itself runs in the renderer's SIP.js.
 */
import { NoInput } from './method-io.js';
import { DirectoryMe } from './sync.js';

export const presenceMethods = {
  /** `not_configured` without an identity/server, `unavailable` when the server cannot be reached. */
  'directory.me': { input: NoInput, output: DirectoryMe },
} as const;
