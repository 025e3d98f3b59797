import forge from 'node-forge';

/**
 * The user's key and certificate (plus the CA) as PKCS#12, encrypted with the passphrase. 3DES and a
 * SHA-1 MAC: the combination every PKCS#12 reader takes — Node's TLS (OpenSSL 3 without the legacy
 * provider), Windows, macOS Keychain and node-forge in the app.
 */
export function createPkcs12(keyPem: string, certPem: string, caPem: string, passphrase: string, friendlyName: string): Buffer {
  const key = forge.pki.privateKeyFromPem(keyPem);
  const chain = [forge.pki.certificateFromPem(certPem), forge.pki.certificateFromPem(caPem)];
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, chain, passphrase, { algorithm: '3des', friendlyName, count: 10000 });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
