/**
 * TLS options from PEM text, checked once on deploy. A custom CA is added to Node's trusted
 * roots (and NODE_EXTRA_CA_CERTS), not put in their place, so public APIs keep working.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createSecureContext, rootCertificates } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { configError } from '../errors';
import { blocksBetween } from '../text';

export interface TlsInput {
  verify: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  /**
   * Where the material comes from, for error messages: empty for the datasource's own fields,
   * or e.g. `tls (TLS configuration "corp")` when it comes from a Node-RED tls-config node.
   */
  source?: string;
}

export interface TlsOptions {
  rejectUnauthorized: boolean;
  /** null when no custom material is configured: Node's defaults apply */
  secureContext: SecureContext | null;
  /**
   * Only with a client certificate: the same trust without the certificate and key, for every
   * origin but the datasource's own (a redirect hop elsewhere). The certificate and its key are
   * stored secrets like a password (docs/security.md). null: Node's defaults.
   */
  withoutClientCertificate?: { secureContext: SecureContext | null };
}

export function parseCertificates(pem: string, field: string): X509Certificate[] {
  // indexOf, not a lazy regex: that rescans the rest of the text from every unclosed BEGIN line.
  const blocks = blocksBetween(pem, '-----BEGIN CERTIFICATE-----', '-----END CERTIFICATE-----');
  if (!blocks.length) throw configError(field, 'is not a PEM certificate (expected -----BEGIN CERTIFICATE-----)');
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw configError(field, `certificate ${i + 1} is not valid PEM`);
    }
  });
}

function parseKey(pem: string, passphrase: string | undefined, field: string): KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw configError(field, 'is not a PEM private key (expected -----BEGIN PRIVATE KEY-----)');
  }
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem);
  if (encrypted && !passphrase) throw configError(field, 'is encrypted; fill in the key passphrase');
  try {
    return createPrivateKey({ key: pem, passphrase });
  } catch {
    throw configError(
      field,
      encrypted ? 'cannot be decrypted; is the key passphrase right?' : 'is not a valid PEM private key',
    );
  }
}

let extraCaCache: string[] | undefined;
function extraCertificates(): string[] {
  if (extraCaCache) return extraCaCache;
  const file = process.env.NODE_EXTRA_CA_CERTS;
  extraCaCache = [];
  if (file) {
    try {
      extraCaCache = blocksBetween(
        readFileSync(file, 'utf8'),
        '-----BEGIN CERTIFICATE-----',
        '-----END CERTIFICATE-----',
      );
    } catch {
      // Node itself warns about an unreadable NODE_EXTRA_CA_CERTS file
    }
  }
  return extraCaCache;
}

export function buildTlsOptions(input: TlsInput): TlsOptions {
  const { ca, cert, key, passphrase } = input;
  const field = (name: string) => (input.source ? `${input.source} ${name}` : name);
  if (ca) parseCertificates(ca, field('ca'));
  if (cert && !key) throw configError(field('key'), 'is required with a client certificate');
  if (key && !cert) throw configError(field('cert'), 'is required with a client key');
  if (cert && key) {
    const certs = parseCertificates(cert, field('cert'));
    const keyObject = parseKey(key, passphrase, field('key'));
    if (!certs[0].checkPrivateKey(keyObject)) {
      throw configError(field('key'), 'does not belong to the client certificate (cert); paste the matching pair');
    }
  }
  if (!ca && !cert) return { rejectUnauthorized: input.verify, secureContext: null };
  try {
    const secureContext = createSecureContext({
      // Added to the roots, not in their place: public APIs keep working beside a private CA.
      ca: ca ? [...rootCertificates, ...extraCertificates(), ca] : undefined,
      cert,
      key,
      passphrase,
    });
    if (!cert) return { rejectUnauthorized: input.verify, secureContext };
    const trustOnly = ca ? createSecureContext({ ca: [...rootCertificates, ...extraCertificates(), ca] }) : null;
    return { rejectUnauthorized: input.verify, secureContext, withoutClientCertificate: { secureContext: trustOnly } };
  } catch (e) {
    throw configError(field(ca && !cert ? 'ca' : 'cert'), `cannot be used: ${(e as Error).message}`);
  }
}
