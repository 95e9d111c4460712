/**
 * The datasource's base URL, validated once on deploy. It is a setting (settings.ts owns the
 * configuration), so it lives below both the settings and the HTTP pipeline that joins paths to it.
 */
import { configError } from './errors';

export function parseBaseUrl(text: string): URL {
  if (!text) throw configError('baseUrl', 'is required, for example https://api.example.com/v1');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw configError('baseUrl', `"${text}" is not a URL; write it as https://host[:port][/path]`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw configError('baseUrl', `must start with http:// or https://, got "${url.protocol}"`);
  }
  if (url.username || url.password) {
    throw configError('baseUrl', 'must not contain a user name or password; use Basic authentication instead');
  }
  if (url.search || url.hash) {
    throw configError(
      'baseUrl',
      'must not contain ?query or #fragment; put query parameters in the Query parameters list on the Connection tab',
    );
  }
  return url;
}
