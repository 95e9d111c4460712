/**
 * Compact JWS on node:crypto: the signatures OAuth assertions and DPoP proofs need (RFC 7518),
 * so no JWT library is needed at runtime. Keys are parsed once per deploy with an error that
 * names the credential to fix.
 */
import { createHmac, createPrivateKey, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { constants } from 'node:crypto';
import { configError } from '../errors';
import type { AssertionAlg } from '../settings';

/** A signing key: a private key, or the shared secret of HS256. */
export type SigningKey = { alg: Exclude<AssertionAlg, 'HS256'>; key: KeyObject } | { alg: 'HS256'; secret: string };

function b64(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** `header.payload.signature` with `alg` set from the key. */
export function signJws(header: Record<string, unknown>, claims: Record<string, unknown>, k: SigningKey): string {
  const input = `${b64(JSON.stringify({ ...header, alg: k.alg }))}.${b64(JSON.stringify(claims))}`;
  let sig: Buffer;
  switch (k.alg) {
    case 'HS256':
      sig = createHmac('sha256', Buffer.from(k.secret, 'utf8')).update(input).digest();
      break;
    case 'RS256':
      sig = sign('sha256', Buffer.from(input), k.key);
      break;
    case 'PS256':
      // RFC 7518 3.5: MGF1 with SHA-256 and a salt as long as the digest.
      sig = sign('sha256', Buffer.from(input), {
        key: k.key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      });
      break;
    case 'ES256':
      // JWS wants r|s (64 bytes), not the DER node:crypto gives by default.
      sig = sign('sha256', Buffer.from(input), { key: k.key, dsaEncoding: 'ieee-p1363' });
      break;
    case 'EdDSA':
      sig = sign(null, Buffer.from(input), k.key);
      break;
  }
  return `${input}.${b64(sig)}`;
}

/** The key types each algorithm signs with. */
const KEY_TYPES: Record<Exclude<AssertionAlg, 'HS256'>, string[]> = {
  RS256: ['rsa'],
  PS256: ['rsa', 'rsa-pss'],
  ES256: ['ec'],
  EdDSA: ['ed25519'],
};

/**
 * A PEM private key for `alg`, or a CONFIG_ERROR naming `field` (the key's text never appears
 * in the message).
 */
export function privateKeyFor(pem: string | undefined, alg: AssertionAlg, field: string): SigningKey {
  if (alg === 'HS256') throw configError('oauth2ClientAssertionAlg', 'HS256 signs with the client secret, not a key');
  if (!pem || !pem.trim()) throw configError(field, `is required to sign ${alg} assertions; paste a PEM private key`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw configError(
      field,
      'is not a PEM private key (expected "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----" or "-----BEGIN EC PRIVATE KEY-----" …); paste the whole key, unencrypted',
    );
  }
  const type = key.asymmetricKeyType ?? '';
  if (!KEY_TYPES[alg].includes(type)) {
    throw configError(
      'oauth2ClientAssertionAlg',
      `${alg} does not sign with the ${type.toUpperCase() || 'given'} key in ${field}; choose ${suitableAlg(type)} or paste a matching key`,
    );
  }
  if (alg === 'ES256' && key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw configError(field, 'ES256 needs an EC key on the P-256 curve');
  }
  return { alg, key };
}

function suitableAlg(type: string): string {
  if (type === 'rsa' || type === 'rsa-pss') return 'RS256 or PS256';
  if (type === 'ec') return 'ES256';
  if (type === 'ed25519') return 'EdDSA';
  return 'an algorithm that fits the key';
}
