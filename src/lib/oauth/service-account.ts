/**
 * A Google service-account JSON key as the console downloads it. Only the fields the JWT bearer
 * grant needs are read; errors name `serviceAccountKey` and never quote the key.
 */
import { configError } from '../errors';

export interface ServiceAccountKey {
  clientEmail: string;
  privateKey: string;
  privateKeyId: string;
  tokenUri: string;
}

export function parseServiceAccountKey(text: string): ServiceAccountKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw configError('serviceAccountKey', 'is not JSON; paste the whole key file Google gave you ({"type": …})');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw configError('serviceAccountKey', 'must be a JSON object (the whole key file)');
  }
  const o = parsed as Record<string, unknown>;
  const field = (name: string, required: boolean): string => {
    const v = o[name];
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (required) throw configError('serviceAccountKey', `has no "${name}"; paste the whole service-account key file`);
    return '';
  };
  if (o.type !== undefined && o.type !== 'service_account') {
    throw configError('serviceAccountKey', `is a "${String(o.type)}" key, not a service-account key`);
  }
  return {
    clientEmail: field('client_email', true),
    privateKey: field('private_key', true),
    privateKeyId: field('private_key_id', false),
    tokenUri: field('token_uri', false) || 'https://oauth2.googleapis.com/token',
  };
}

/** The account's e-mail for display, or '' when the text is not a usable key (never the key). */
export function serviceAccountEmail(text: string | undefined): string {
  if (!text) return '';
  try {
    return parseServiceAccountKey(text).clientEmail;
  } catch {
    return '';
  }
}
