import type { PbxErrorCode } from '../../../protocol/index.js';

/**
 * Maps what Node's TLS stack reports to one of the PBX error codes. Refusals by the PBX arrive as
 * TLS alerts (`ERR_SSL_*_ALERT_*`); with TLS 1.3 they come after our side thinks the handshake is
 * done, so they surface on the WebSocket upgrade, not on connect.
 */
export function classifyConnectError(error: unknown): { code: PbxErrorCode; message: string } {
  const err = error as NodeJS.ErrnoException & { reason?: string };
  const code = String(err?.code ?? '');
  const text = `${code} ${String(err?.message ?? error)}`;
  const is = (pattern: RegExp) => pattern.test(text);
  if (is(/ALERT_CERTIFICATE_REQUIRED|certificate required/i)) {
    return { code: 'no_certificate', message: 'The PBX requires a client certificate and none was presented' };
  }
  if (is(/ALERT_UNKNOWN_CA|unknown ca/i)) {
    return { code: 'unknown_ca', message: 'The PBX does not trust the authority that issued this certificate' };
  }
  if (is(/ALERT_CERTIFICATE_REVOKED|certificate revoked/i)) {
    return { code: 'certificate_revoked', message: 'The PBX refused the certificate: it has been revoked' };
  }
  if (is(/ALERT_CERTIFICATE_EXPIRED|certificate expired/i)) {
    return { code: 'certificate_expired', message: 'The PBX refused the certificate: it has expired' };
  }
  if (is(/ALERT_BAD_CERTIFICATE|ALERT_UNSUPPORTED_CERTIFICATE|bad certificate/i)) {
    return { code: 'handshake_failed', message: 'The PBX refused the certificate as invalid' };
  }
  if (
    is(
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT|ERR_TLS_CERT_ALTNAME_INVALID|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|CERT_SIGNATURE_FAILURE/,
    )
  ) {
    return { code: 'server_untrusted', message: `The PBX's own certificate failed verification (${code || 'unknown reason'})` };
  }
  if (is(/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/)) {
    return { code: 'refused', message: `The PBX is not reachable (${code})` };
  }
  if (is(/ETIMEDOUT|Opening handshake has timed out/i)) {
    return { code: 'timeout', message: 'The PBX did not answer in time' };
  }
  if (is(/ERR_SSL|ERR_TLS|SSL routines|wrong version number|mac verify failure|PKCS12/i)) {
    return { code: 'handshake_failed', message: `The TLS handshake with the PBX failed (${code || err?.message})` };
  }
  if (is(/ECONNRESET|EPIPE|socket hang up/i)) {
    return { code: 'connection_lost', message: `The connection to the PBX broke (${code || err?.message})` };
  }
  return { code: 'handshake_failed', message: `Connecting to the PBX failed: ${String(err?.message ?? error)}` };
}

/** Failures that retrying with the same certificate cannot fix: no attempts until connect() is called again. */
export function isPermanent(code: PbxErrorCode): boolean {
  return [
    'no_identity',
    'no_certificate',
    'unknown_ca',
    'certificate_revoked',
    'certificate_expired',
    'certificate_not_yet_valid',
    'server_untrusted',
  ].includes(code);
}
