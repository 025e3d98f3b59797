import { sign } from 'node:crypto';
import { BUNDLE_FORMAT, ProvisioningPayload, type ProvisioningBundle } from '../../protocol/identity.js';

/**
 * Signs a provisioning payload with the CA key. The signature covers the exact base64 text of the
 * payload, which the app verifies before decoding anything (docs/provisioning.md).
 */
export function signBundle(payload: ProvisioningPayload, caKeyPem: string): ProvisioningBundle {
  const encoded = Buffer.from(JSON.stringify(ProvisioningPayload.parse(payload)), 'utf8').toString('base64');
  const signature = sign('sha256', Buffer.from(encoded, 'ascii'), caKeyPem).toString('base64');
  return { format: BUNDLE_FORMAT, payload: encoded, signatureAlgorithm: 'RSASSA-PKCS1-v1_5-SHA256', signature };
}

export function serializeBundle(bundle: ProvisioningBundle): string {
  return JSON.stringify(bundle, null, 2) + '\n';
}
