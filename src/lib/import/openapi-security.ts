/**
 * OpenAPI `servers` (3.x) or `host`/`basePath`/`schemes` (2.0) → base URL choices, and
 * `securitySchemes` / `securityDefinitions` → datasource auth proposals.
 */
import { isObject } from './openapi-load';
import type { JsonObject, Spec } from './openapi-load';
import type { DatasourceProposal } from './types';
import { openApiNotice } from './notices';
import type { Notice } from './notices';

export interface ServerChoice {
  /** the URL with every variable at its default, absolute when it could be made so */
  url: string;
  /** as written, with `{variables}` */
  template: string;
  description: string;
  variables: Array<{ name: string; default: string; enum: string[]; description: string }>;
  /** the description gave a relative URL and no source URL made it absolute */
  relative: boolean;
}

type AuthProposal = Omit<DatasourceProposal, 'baseUrl' | 'credentials'>;

export interface SecurityChoice {
  /** the scheme's name in the description */
  name: string;
  type: string;
  description: string;
  /** the datasource settings it maps to; absent when the datasource has no such auth */
  proposal?: AuthProposal;
  /** what the user still has to do, or why it is not proposed */
  note: Notice;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** `url` without trailing slashes (an index loop: `/\/+$/` is quadratic on a long run of `/`). */
function trimSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}

function absolute(url: string, sourceUrl: string | undefined): { url: string; relative: boolean } {
  if (/^https?:\/\//i.test(url)) return { url: trimSlashes(url), relative: false };
  if (sourceUrl) return { url: trimSlashes(new URL(url || '/', sourceUrl).toString()), relative: false };
  return { url: trimSlashes(url), relative: true };
}

export function serversOf(spec: Spec, sourceUrl?: string): ServerChoice[] {
  const root = spec.root;
  if (typeof root.swagger === 'string') {
    const schemes = Array.isArray(root.schemes) ? root.schemes.map(text).filter(Boolean) : [];
    const host = text(root.host);
    const basePath = text(root.basePath);
    const list = host
      ? (schemes.length ? schemes : ['https']).map((s) => `${s}://${host}${basePath}`)
      : [basePath || '/'];
    return list.map((template) => ({ ...absolute(template, sourceUrl), template, description: '', variables: [] }));
  }
  const servers = Array.isArray(root.servers) ? root.servers.filter(isObject) : [];
  if (!servers.length) servers.push({ url: '/' });
  return servers.map((s) => {
    const template = text(s.url);
    const vars = isObject(s.variables) ? s.variables : {};
    const variables = Object.entries(vars)
      .filter((e): e is [string, JsonObject] => isObject(e[1]))
      .map(([name, v]) => ({
        name,
        default: text(v.default),
        enum: Array.isArray(v.enum) ? v.enum.map(text) : [],
        description: text(v.description),
      }));
    let filled = template;
    for (const v of variables) filled = filled.split(`{${v.name}}`).join(v.default);
    return { ...absolute(filled, sourceUrl), template, description: text(s.description), variables };
  });
}

function scopesOf(flow: JsonObject): string {
  return isObject(flow.scopes) ? Object.keys(flow.scopes).join(' ') : '';
}

function oauth2(flows: Array<[string, JsonObject]>): { proposal?: AuthProposal; note: Notice } {
  const pick = (names: string[]) => flows.find(([n]) => names.includes(n));
  const cc = pick(['clientCredentials', 'application']);
  const code = pick(['authorizationCode', 'accessCode']);
  const password = pick(['password']);
  const chosen = code ?? cc ?? password;
  if (!chosen) return { note: openApiNotice('implicitOnly') };
  const [name, flow] = chosen;
  const grant = chosen === code ? 'authorization_code' : chosen === cc ? 'client_credentials' : 'password';
  const proposal: AuthProposal = {
    authType: 'oauth2',
    oauth2GrantType: grant,
    oauth2TokenUrl: text(flow.tokenUrl),
    oauth2Scopes: scopesOf(flow),
  };
  if (grant === 'authorization_code') proposal.oauth2AuthUrl = text(flow.authorizationUrl);
  const others = flows.map(([n]) => n).filter((n) => n !== name);
  const authorize = grant === 'authorization_code';
  const note = others.length
    ? openApiNotice(authorize ? 'oauth2AuthorizeOthers' : 'oauth2Others', { others: others.join(', ') })
    : openApiNotice(authorize ? 'oauth2Authorize' : 'oauth2');
  return { proposal, note };
}

/**
 * Amazon API Gateway's export marks IAM authorization as an apiKey scheme with
 * `x-amazon-apigateway-authtype: awsSigv4`: requests are signed with AWS Signature Version 4 for
 * the service `execute-api`; the region shows in the server URL.
 */
function awsSigV4(scheme: JsonObject, servers: ServerChoice[]): { proposal: AuthProposal; note: Notice } | undefined {
  if (text(scheme['x-amazon-apigateway-authtype']).toLowerCase() !== 'awssigv4') return undefined;
  const region = servers.map((s) => /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/i.exec(s.url)?.[1]).find(Boolean);
  const proposal: AuthProposal = { authType: 'awsSigV4', awsService: 'execute-api' };
  if (region) proposal.awsRegion = region;
  return { proposal, note: openApiNotice(region ? 'awsSigV4' : 'awsSigV4Region') };
}

function choice(name: string, scheme: JsonObject, servers: ServerChoice[] = []): SecurityChoice {
  const type = text(scheme.type);
  const base = { name, type, description: text(scheme.description) };
  const where = text(scheme.in);
  const aws = awsSigV4(scheme, servers);
  if (aws) return { ...base, ...aws };
  switch (type) {
    case 'http':
    case 'basic': {
      const s = type === 'basic' ? 'basic' : text(scheme.scheme).toLowerCase();
      if (s === 'basic') return { ...base, proposal: { authType: 'basic' }, note: openApiNotice('userPassword') };
      if (s === 'bearer') return { ...base, proposal: { authType: 'bearer' }, note: openApiNotice('token') };
      if (s === 'digest') return { ...base, proposal: { authType: 'digest' }, note: openApiNotice('userPassword') };
      // The HTTP authentication scheme "OAuth" is OAuth 1.0a (RFC 5849 §3.5.1).
      if (s === 'oauth') return { ...base, proposal: { authType: 'oauth1' }, note: openApiNotice('oauth1') };
      return { ...base, note: openApiNotice('httpScheme', { scheme: s }) };
    }
    case 'apiKey':
      if (where === 'header' || where === 'query') {
        return {
          ...base,
          proposal: { authType: 'apiKey', apiKeyName: text(scheme.name), apiKeyIn: where },
          note: openApiNotice('apiKey'),
        };
      }
      return {
        ...base,
        note: openApiNotice('apiKeyCookie', { name: text(scheme.name) }),
      };
    case 'oauth2': {
      const flows: Array<[string, JsonObject]> = isObject(scheme.flows)
        ? Object.entries(scheme.flows).filter((e): e is [string, JsonObject] => isObject(e[1]))
        : [[text(scheme.flow), scheme]];
      return { ...base, ...oauth2(flows) };
    }
    case 'openIdConnect':
      return {
        ...base,
        note: openApiNotice('openIdConnect', { url: text(scheme.openIdConnectUrl) }),
      };
    default:
      return { ...base, note: openApiNotice('schemeType', { type }) };
  }
}

/** Every security scheme, the ones the description requires globally first. */
export function securityOf(spec: Spec): SecurityChoice[] {
  const root = spec.root;
  const components = isObject(root.components) ? root.components : {};
  const defs = spec.follow(typeof root.swagger === 'string' ? root.securityDefinitions : components.securitySchemes);
  if (!isObject(defs)) return [];
  const required = new Set<string>();
  if (Array.isArray(root.security)) {
    for (const req of root.security) if (isObject(req)) Object.keys(req).forEach((k) => required.add(k));
  }
  const servers = serversOf(spec);
  const out = Object.entries(defs).flatMap(([name, v]) => {
    const scheme = spec.follow(v);
    return isObject(scheme) ? [choice(name, scheme, servers)] : [];
  });
  return out.sort((a, b) => Number(required.has(b.name)) - Number(required.has(a.name)));
}
