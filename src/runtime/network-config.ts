/**
 * Node-RED's own network config nodes as datasource options: a `tls-config` node (instead of
 * the inline PEM credentials) and an `http proxy` node (instead of the proxy environment
 * variables). Both are read through the deployed node objects, as the core nodes use them.
 */
import type { Node, NodeAPI } from 'node-red';
import type { DatasourceOptions } from '../lib/datasource';
import { configError } from '../lib/errors';
import { proxyRoutesFromNode } from '../lib/net/proxy';
import type { DatasourceSettings } from '../lib/settings';
import type { TlsInput } from '../lib/net/tls';

/** What the core `tls-config` node exposes (05-tls.js). */
interface TlsConfigNode extends Node<{ passphrase?: string }> {
  valid?: boolean;
  verifyservercert?: boolean | string;
  addTLSOptions?: (opts: Record<string, unknown>) => Record<string, unknown>;
}

/** What the core `http proxy` node exposes (06-httpproxy.js). */
interface HttpProxyNode extends Node<{ username?: string; password?: string }> {
  url?: string;
  noproxy?: string[] | string;
}

function pemText(value: unknown): string | undefined {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'string' && value.trim()) return value;
  return undefined;
}

function tlsFromNode(RED: NodeAPI, settings: DatasourceSettings, clientCertificate: boolean): TlsInput {
  const node = RED.nodes.getNode(settings.tlsConfigId) as TlsConfigNode | null;
  if (!node || node.type !== 'tls-config' || typeof node.addTLSOptions !== 'function') {
    throw configError('tls', 'the selected TLS configuration node is missing; pick another or clear the field');
  }
  const label = `tls (TLS configuration "${node.name || node.id}")`;
  if (node.valid === false) throw configError(label, 'is invalid; open it and fix the error it reports');
  const opts = node.addTLSOptions({});
  return {
    // Either the datasource or the tls-config node can turn verification off.
    verify: settings.tlsVerify && node.verifyservercert !== false && node.verifyservercert !== 'false',
    ca: pemText(opts.ca),
    ...(clientCertificate
      ? {
          cert: pemText(opts.cert),
          key: pemText(opts.key),
          passphrase: typeof opts.passphrase === 'string' && opts.passphrase ? opts.passphrase : undefined,
        }
      : {}),
    source: label,
  };
}

function proxyFromNode(RED: NodeAPI, id: string): NonNullable<DatasourceOptions['proxy']> {
  const node = RED.nodes.getNode(id) as HttpProxyNode | null;
  if (!node || node.type !== 'http proxy') {
    throw configError('proxy', 'the selected proxy node is missing; pick another or clear the field');
  }
  const noproxy = Array.isArray(node.noproxy) ? node.noproxy : typeof node.noproxy === 'string' ? [node.noproxy] : [];
  return proxyRoutesFromNode({
    url: typeof node.url === 'string' ? node.url : '',
    noProxy: noproxy.filter((v): v is string => typeof v === 'string'),
    username: node.credentials?.username || undefined,
    password: node.credentials?.password || undefined,
  });
}

/**
 * The TLS and proxy options of a datasource whose settings name Node-RED config nodes.
 * `clientCertificate: false` (an admin route whose destination is not the deployed node's)
 * keeps the tls-config node's trust and leaves out its client certificate and key: they are
 * stored secrets, presented to the deployed destinations only.
 */
export function networkOptions(
  RED: NodeAPI,
  settings: DatasourceSettings,
  { clientCertificate = true }: { clientCertificate?: boolean } = {},
): Pick<DatasourceOptions, 'tls' | 'proxy'> {
  const out: Pick<DatasourceOptions, 'tls' | 'proxy'> = {};
  if (settings.tlsConfigId) out.tls = tlsFromNode(RED, settings, clientCertificate);
  if (settings.proxyConfigId) out.proxy = proxyFromNode(RED, settings.proxyConfigId);
  return out;
}
