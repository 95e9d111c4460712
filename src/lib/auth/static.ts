/** Schemes whose credential never changes at runtime: Basic, Bearer and API key. */
import type { AuthScheme } from './scheme';
import { setAuthHeader, setAuthParam } from './scheme';

export function basicAuth(username: string, password: string): AuthScheme {
  const value = 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
  return {
    apply: (req) => setAuthHeader(req, 'Authorization', value),
    constantHeader: ['Authorization', value],
    sensitiveHeaders: ['authorization'],
    sensitiveParams: [],
  };
}

export function bearerAuth(token: string): AuthScheme {
  const value = 'Bearer ' + token;
  return {
    apply: (req) => setAuthHeader(req, 'Authorization', value),
    constantHeader: ['Authorization', value],
    sensitiveHeaders: ['authorization'],
    sensitiveParams: [],
    currentToken: () => Promise.resolve(token),
  };
}

export function apiKeyAuth(name: string, placement: 'header' | 'query', prefix: string, key: string): AuthScheme {
  const trimmed = prefix.trim();
  const value = trimmed ? `${trimmed} ${key}` : key;
  if (placement === 'query') {
    return {
      apply: (req) => setAuthParam(req, name, value),
      sensitiveHeaders: [],
      sensitiveParams: [name],
    };
  }
  return {
    apply: (req) => setAuthHeader(req, name, value),
    constantHeader: [name, value],
    sensitiveHeaders: [name.toLowerCase()],
    sensitiveParams: [],
  };
}
