/**
 * Which proxy, if any, a request of this datasource goes through: from HTTP_PROXY, HTTPS_PROXY
 * and NO_PROXY (either case), or from a Node-RED `http proxy` config node (its URL, its
 * no-proxy list, its credentials). Decided per target host and port, so one datasource can
 * reach some hosts directly and others through the proxy (a redirect, a token endpoint).
 */
import { BlockList, isIP } from 'node:net';
import { configError } from '../errors';

export interface ProxyEndpoint {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** `Basic …` for the proxy, or undefined when it needs no credentials. */
  authorization?: string;
  /** For messages: scheme, host and port, never the credentials. */
  label: string;
}

export interface ProxyRoutes {
  http?: ProxyEndpoint;
  https?: ProxyEndpoint;
  noProxy: NoProxyList;
  /** The proxy password and its encoded forms, for the redactor. */
  secrets: string[];
}

/** What a Node-RED `http proxy` config node holds. */
export interface ProxyNodeConfig {
  url: string;
  noProxy: string[];
  username?: string;
  password?: string;
}

interface HostRule {
  /** exact host, or a suffix starting with "." that also matches the bare domain */
  host: string;
  port?: number;
}

/** A NO_PROXY list: `*`, host names, `.domain` / `*.domain` suffixes, IPs, CIDR ranges, `:port`. */
export class NoProxyList {
  private readonly all: boolean;
  private readonly rules: HostRule[] = [];
  private readonly subnets = new BlockList();
  private hasSubnets = false;

  constructor(entries: readonly string[]) {
    let all = false;
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (!entry) continue;
      if (entry === '*') {
        all = true;
        continue;
      }
      const slash = entry.indexOf('/');
      if (slash > 0) {
        const address = entry.slice(0, slash);
        const prefix = Number(entry.slice(slash + 1));
        const family = isIP(address);
        if (family && Number.isInteger(prefix)) {
          try {
            this.subnets.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
            this.hasSubnets = true;
          } catch {
            // an impossible prefix length: the entry matches nothing, as in other tools
          }
        }
        continue;
      }
      this.rules.push(parseHostRule(entry));
    }
    this.all = all;
  }

  /** True when a request to this host and port must not use the proxy. */
  matches(hostname: string, port: number): boolean {
    if (this.all) return true;
    const host = normalizeHost(hostname);
    for (const rule of this.rules) {
      if (rule.port !== undefined && rule.port !== port) continue;
      if (rule.host.startsWith('.')) {
        if (host.endsWith(rule.host) || host === rule.host.slice(1)) return true;
      } else if (host === rule.host || (!isIP(rule.host) && host.endsWith('.' + rule.host))) {
        return true;
      }
    }
    const family = isIP(host);
    return this.hasSubnets && family !== 0 && this.subnets.check(host, family === 6 ? 'ipv6' : 'ipv4');
  }
}

function normalizeHost(hostname: string): string {
  let host = hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host;
}

function parseHostRule(entry: string): HostRule {
  let host = entry;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    host = bracketed[1];
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (isIP(entry) !== 6) {
    const withPort = /^(.*):(\d+)$/.exec(entry);
    if (withPort) {
      host = withPort[1];
      port = Number(withPort[2]);
    }
  }
  if (host.startsWith('*.')) host = host.slice(1);
  return { host: normalizeHost(host), port };
}

/** Parse a proxy URL; `field` names where it came from (an env variable or `proxy`). */
export function parseProxyUrl(text: string, field: string, username?: string, password?: string): ProxyEndpoint {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    // The text may hold credentials: never echo it.
    throw configError(field, 'is not a valid proxy URL (expected http://host:port)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw configError(field, `uses ${url.protocol.slice(0, -1)}, but only http:// and https:// proxies are supported`);
  }
  const protocol = url.protocol;
  const port = url.port ? Number(url.port) : protocol === 'https:' ? 443 : 80;
  const hostname = normalizeHost(url.hostname);
  if (!hostname) throw configError(field, 'has no host name');
  const user = username || password ? (username ?? '') : decodeURIComponent(url.username);
  const pass = username || password ? (password ?? '') : decodeURIComponent(url.password);
  const authorization = user || pass ? 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64') : undefined;
  const hostForLabel = isIP(hostname) === 6 ? `[${hostname}]` : hostname;
  return { protocol, hostname, port, authorization, label: `${protocol}//${hostForLabel}:${port}` };
}

function secretsOf(...endpoints: Array<ProxyEndpoint | undefined>): string[] {
  const out: string[] = [];
  for (const e of endpoints) {
    if (!e?.authorization) continue;
    const encoded = e.authorization.slice('Basic '.length);
    const decoded = Buffer.from(encoded, 'base64').toString();
    out.push(encoded, decoded, decoded.slice(decoded.indexOf(':') + 1));
  }
  return out.filter((s) => s.length > 0);
}

function splitList(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter(Boolean);
}

function envValue(env: NodeJS.ProcessEnv, name: string): { value: string; name: string } | undefined {
  // The lower-case form wins, as in curl and most tools that read these variables.
  for (const candidate of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[candidate]?.trim();
    if (value) return { value, name: candidate };
  }
  return undefined;
}

/** Routes from the environment, or undefined when no proxy variable is set. */
export function proxyRoutesFromEnv(env: NodeJS.ProcessEnv): ProxyRoutes | undefined {
  const httpVar = envValue(env, 'HTTP_PROXY');
  const httpsVar = envValue(env, 'HTTPS_PROXY');
  if (!httpVar && !httpsVar) return undefined;
  const http = httpVar ? parseProxyUrl(httpVar.value, httpVar.name) : undefined;
  const https = httpsVar ? parseProxyUrl(httpsVar.value, httpsVar.name) : undefined;
  return {
    http,
    https,
    noProxy: new NoProxyList(splitList(envValue(env, 'NO_PROXY')?.value)),
    secrets: secretsOf(http, https),
  };
}

/** Routes from a Node-RED `http proxy` node: one proxy for http and https targets. */
export function proxyRoutesFromNode(config: ProxyNodeConfig): ProxyRoutes {
  if (!config.url.trim()) throw configError('proxy', 'the selected http proxy node has no URL');
  const endpoint = parseProxyUrl(config.url.trim(), 'proxy', config.username, config.password);
  return {
    http: endpoint,
    https: endpoint,
    noProxy: new NoProxyList(config.noProxy.flatMap((entry) => splitList(entry))),
    secrets: secretsOf(endpoint),
  };
}

/** The proxy for one target, or undefined to connect directly. */
export function proxyFor(
  routes: ProxyRoutes,
  protocol: 'http:' | 'https:',
  hostname: string,
  port: number,
): ProxyEndpoint | undefined {
  const endpoint = protocol === 'https:' ? routes.https : routes.http;
  if (!endpoint || routes.noProxy.matches(hostname, port)) return undefined;
  return endpoint;
}
