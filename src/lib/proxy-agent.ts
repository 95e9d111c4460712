/**
 * Keep-alive agents that send each request directly or through a proxy, decided per target
 * host and port (NO_PROXY). HTTPS targets are reached through a CONNECT tunnel and TLS runs
 * end to end inside it, with the datasource's own TLS options (CA, client certificate,
 * verification): the proxy never sees cleartext. HTTP targets are sent to the proxy in
 * absolute form. Proxy-Authorization goes to the proxy only: it is set on the CONNECT request
 * or on a request the proxy forwards, and removed from every request that reaches a target
 * directly or through a tunnel.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { ProxyEndpoint, ProxyRoutes } from './proxy';
import { proxyFor } from './proxy';
import type { TlsOptions } from './tls';

type Callback = (err: Error | null, stream: Duplex) => void;

/** An error the transport maps to PROXY_ERROR; its message never holds credentials. */
export class ProxyConnectError extends Error {
  readonly code = 'PROXY_ERROR';
}

/** Node's Agent.addRequest, not in the type declarations but a stable extension point. */
interface WithAddRequest {
  addRequest(req: http.ClientRequest, options: http.RequestOptions): void;
}

function targetOf(options: http.RequestOptions, defaultPort: number): { host: string; port: number } {
  const host = String(options.hostname ?? options.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(options.port) || defaultPort };
}

function authority(host: string, port: number): string {
  return `${net.isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** A connection to the proxy itself (TLS for an https:// proxy, verified against Node's roots). */
function connectToProxy(proxy: ProxyEndpoint): net.Socket {
  if (proxy.protocol === 'https:') {
    return tls.connect({
      host: proxy.hostname,
      port: proxy.port,
      servername: net.isIP(proxy.hostname) ? undefined : proxy.hostname,
      ALPNProtocols: ['http/1.1'],
    });
  }
  return net.connect({ host: proxy.hostname, port: proxy.port });
}

function proxyFailure(proxy: ProxyEndpoint, problem: string): ProxyConnectError {
  return new ProxyConnectError(`proxy ${proxy.label} ${problem}`);
}

/** Open a CONNECT tunnel through `proxy` to host:port; calls back once with the raw socket. */
function openTunnel(
  proxy: ProxyEndpoint,
  host: string,
  port: number,
  timeoutMs: number,
  done: (err: Error | null, socket?: net.Socket) => void,
): http.ClientRequest {
  const target = authority(host, port);
  const headers: Record<string, string> = { Host: target };
  if (proxy.authorization) headers['Proxy-Authorization'] = proxy.authorization;
  const req = http.request({
    method: 'CONNECT',
    path: target,
    headers,
    // No agent: this one connection is the tunnel, never pooled.
    createConnection: () => connectToProxy(proxy),
  });
  let settled = false;
  const finish = (err: Error | null, socket?: net.Socket) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    done(err, socket);
  };
  const timer = setTimeout(() => {
    finish(proxyFailure(proxy, `did not open a tunnel to ${target} within ${timeoutMs} ms`));
    req.destroy();
  }, timeoutMs);
  req.once('connect', (res: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      finish(
        proxyFailure(
          proxy,
          `refused the tunnel to ${target}: HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim(),
        ),
      );
      return;
    }
    if (head.length) socket.unshift(head);
    finish(null, socket);
  });
  req.once('response', (res: http.IncomingMessage) => {
    res.resume();
    finish(proxyFailure(proxy, `answered the tunnel request with HTTP ${res.statusCode}`));
    req.destroy();
  });
  req.once('error', (err: NodeJS.ErrnoException) => {
    finish(proxyFailure(proxy, `cannot be reached: ${err.code ?? err.message}`));
  });
  req.end();
  return req;
}

function withoutProxyAuthorization(req: http.ClientRequest): void {
  if (!req.headersSent && req.hasHeader('proxy-authorization')) req.removeHeader('proxy-authorization');
}

/** For http:// targets: proxied requests go to the proxy in absolute form. */
export class ProxyHttpAgent extends http.Agent {
  constructor(
    private readonly routes: ProxyRoutes,
    options: http.AgentOptions,
  ) {
    super(options);
  }

  addRequest(req: http.ClientRequest, options: http.RequestOptions): void {
    const { host, port } = targetOf(options, 80);
    const proxy = proxyFor(this.routes, 'http:', host, port);
    withoutProxyAuthorization(req);
    if (proxy && !req.headersSent) {
      req.path = `http://${authority(host, port)}${req.path}`;
      if (proxy.authorization) req.setHeader('Proxy-Authorization', proxy.authorization);
    }
    (http.Agent.prototype as unknown as WithAddRequest).addRequest.call(this, req, options);
  }

  createConnection(options: http.ClientRequestArgs, callback?: Callback): Duplex | null | undefined {
    const { host, port } = targetOf(options, 80);
    const proxy = proxyFor(this.routes, 'http:', host, port);
    if (!proxy) return super.createConnection(options, callback);
    return connectToProxy(proxy);
  }
}

/** For https:// targets: a CONNECT tunnel, then TLS to the target with the datasource's options. */
export class ProxyHttpsAgent extends https.Agent {
  /** CONNECT requests not answered yet: destroy() must not leave them behind. */
  private readonly opening = new Set<http.ClientRequest>();

  constructor(
    private readonly routes: ProxyRoutes,
    private readonly tunnelTimeoutMs: number,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  addRequest(req: http.ClientRequest, options: http.RequestOptions): void {
    withoutProxyAuthorization(req);
    (https.Agent.prototype as unknown as WithAddRequest).addRequest.call(this, req, options);
  }

  createConnection(options: https.RequestOptions, callback?: Callback): Duplex | null | undefined {
    const { host, port } = targetOf(options, 443);
    const proxy = proxyFor(this.routes, 'https:', host, port);
    if (!proxy) return super.createConnection(options, callback);
    const connect = openTunnel(proxy, host, port, this.tunnelTimeoutMs, (err, socket) => {
      this.opening.delete(connect);
      if (!callback) return;
      if (err || !socket) return callback(err ?? proxyFailure(proxy, 'closed the tunnel'), undefined as never);
      // Node's own https connection on top of the tunnel: same session cache, same
      // verification (host name checked against the target, not the proxy).
      const secure = super.createConnection({ ...options, socket } as https.RequestOptions);
      if (secure) callback(null, secure);
    });
    this.opening.add(connect);
    return undefined;
  }

  destroy(): void {
    for (const req of this.opening) req.destroy();
    this.opening.clear();
    super.destroy();
  }
}

/** One pair of agents for a datasource whose requests may go through a proxy. */
export function createProxyAgents(
  routes: ProxyRoutes,
  tlsOptions: TlsOptions,
  tunnelTimeoutMs: number,
): { http: http.Agent; https: https.Agent } {
  const common = { keepAlive: true, scheduling: 'lifo' as const };
  return {
    http: new ProxyHttpAgent(routes, common),
    https: new ProxyHttpsAgent(routes, tunnelTimeoutMs, {
      ...common,
      rejectUnauthorized: tlsOptions.rejectUnauthorized,
      ...(tlsOptions.secureContext ? { secureContext: tlsOptions.secureContext } : {}),
    }),
  };
}
