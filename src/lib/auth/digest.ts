/**
 * HTTP Digest authentication (RFC 7616): MD5 and SHA-256 (and their -sess variants), qop=auth.
 * The first request meets a challenge; later requests reuse the server's nonce with a growing
 * nonce count, so a steady flow pays the challenge round-trip once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { WireRequest, WireResponse } from '../types';
import { buildQueryString } from '../types';
import type { AuthScheme } from './scheme';
import { setAuthHeader } from './scheme';

interface Challenge {
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm: string;
  qop?: string;
  stale: boolean;
  nc: number;
}

/** Parse the Digest challenge out of one or more WWW-Authenticate headers. */
export function parseDigestChallenge(header: string | string[] | undefined): Challenge | undefined {
  const lines = Array.isArray(header) ? header : header ? [header] : [];
  for (const line of lines) {
    const at = line.search(/digest\s/i);
    if (at < 0) continue;
    const params: Record<string, string> = {};
    const re = /([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/gi;
    let m: RegExpExecArray | null;
    const text = line.slice(at + 7);
    while ((m = re.exec(text))) params[m[1].toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
    if (!params.nonce) continue;
    const qops = (params.qop ?? '').split(',').map((q) => q.trim());
    return {
      realm: params.realm ?? '',
      nonce: params.nonce,
      opaque: params.opaque,
      algorithm: params.algorithm ?? 'MD5',
      qop: qops.includes('auth') ? 'auth' : undefined,
      stale: /^true$/i.test(params.stale ?? ''),
      nc: 0,
    };
  }
  return undefined;
}

function hashFor(algorithm: string): (text: string) => string {
  const name = /^SHA-256/i.test(algorithm) ? 'sha256' : /^SHA-512-256/i.test(algorithm) ? 'sha512-256' : 'md5';
  return (text) => createHash(name).update(text).digest('hex');
}

function q(text: string): string {
  return '"' + text.replace(/(["\\])/g, '\\$1') + '"';
}

export function digestAuth(username: string, password: string): AuthScheme {
  let challenge: Challenge | undefined;

  const authorize = (req: WireRequest): string | undefined => {
    if (!challenge) return undefined;
    const H = hashFor(challenge.algorithm);
    const qs = buildQueryString(req.rawQuery, req.query);
    const uri = req.pathname + (qs ? '?' + qs : '');
    const cnonce = randomBytes(8).toString('hex');
    challenge.nc += 1;
    const nc = challenge.nc.toString(16).padStart(8, '0');
    let ha1 = H(`${username}:${challenge.realm}:${password}`);
    if (/-sess$/i.test(challenge.algorithm)) ha1 = H(`${ha1}:${challenge.nonce}:${cnonce}`);
    const ha2 = H(`${req.method}:${uri}`);
    const response = challenge.qop
      ? H(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${challenge.qop}:${ha2}`)
      : H(`${ha1}:${challenge.nonce}:${ha2}`);
    let header =
      `Digest username=${q(username)}, realm=${q(challenge.realm)}, nonce=${q(challenge.nonce)}, ` +
      `uri=${q(uri)}, algorithm=${challenge.algorithm}, response=${q(response)}`;
    if (challenge.qop) header += `, qop=${challenge.qop}, nc=${nc}, cnonce=${q(cnonce)}`;
    if (challenge.opaque !== undefined) header += `, opaque=${q(challenge.opaque)}`;
    return header;
  };

  return {
    apply(req) {
      const header = authorize(req);
      if (header) setAuthHeader(req, 'Authorization', header);
    },
    shouldRetry(req: WireRequest, res: WireResponse) {
      if (res.statusCode !== 401 || req.explicitHeaders.has('authorization')) return false;
      const next = parseDigestChallenge(res.headers['www-authenticate']);
      if (!next) return false;
      // A fresh challenge (or a stale nonce) is worth one more try; the transport allows one.
      challenge = next;
      return true;
    },
    sensitiveHeaders: ['authorization'],
    sensitiveParams: [],
  };
}
