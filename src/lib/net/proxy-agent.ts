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
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { KEEP_ALIVE_MSECS } from './keep-alive';
import type { ProxyRoutes } from './proxy';
import { proxyFor } from './proxy';
import { authority, openTunnel, proxyFailure, reachProxy } from './proxy-connect';
import type { TlsOptions } from './tls';

type Callback = (err: Error | null, stream: Duplex) => void;

/** Node's Agent.addRequest, not in the type declarations but a stable extension point. */
interface WithAddRequest {
  addRequest(req: http.ClientRequest, options: http.RequestOptions): void;
}

function targetOf(options: http.RequestOptions, defaultPort: number): { host: string; port: number } {
  const host = String(options.hostname ?? options.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(options.port) || defaultPort };
}

/** Connections to a proxy not handed to a request yet: destroy() must not leave them behind. */
class PendingConnections {
  private readonly sockets = new Set<net.Socket>();

  track(socket: net.Socket): net.Socket {
    this.sockets.add(socket);
    return socket;
  }

  done(socket: net.Socket): void {
    this.sockets.delete(socket);
  }

  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

function withoutProxyAuthorization(req: http.ClientRequest): void {
  if (!req.headersSent && req.hasHeader('proxy-authorization')) req.removeHeader('proxy-authorization');
}

/** For http:// targets: proxied requests go to the proxy in absolute form. */
export class ProxyHttpAgent extends http.Agent {
  private readonly pending = new PendingConnections();

  constructor(
    private readonly routes: ProxyRoutes,
    private readonly connectTimeoutMs: number,
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
    const socket = this.pending.track(
      reachProxy(proxy, this.connectTimeoutMs, (err, connected) => {
        this.pending.done(socket);
        if (callback) callback(err, connected as Duplex);
      }),
    );
    return undefined;
  }

  destroy(): void {
    this.pending.destroyAll();
    super.destroy();
  }
}

/** For https:// targets: a CONNECT tunnel, then TLS to the target with the datasource's options. */
export class ProxyHttpsAgent extends https.Agent {
  private readonly pending = new PendingConnections();

  constructor(
    private readonly routes: ProxyRoutes,
    private readonly connectTimeoutMs: number,
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
    const fail = (err: Error) => {
      if (callback) callback(err, undefined as never);
    };
    const socket = this.pending.track(
      reachProxy(proxy, this.connectTimeoutMs, (err, connected) => {
        if (err || !connected) {
          this.pending.done(socket);
          return fail(err ?? proxyFailure(proxy, 'closed the connection'));
        }
        openTunnel(proxy, connected, host, port, this.connectTimeoutMs, (tunnelErr, tunnel) => {
          this.pending.done(socket);
          if (tunnelErr || !tunnel) return fail(tunnelErr ?? proxyFailure(proxy, 'closed the tunnel'));
          // Node's own https connection on top of the tunnel: same session cache, same
          // verification (host name checked against the target, not the proxy).
          const secure = super.createConnection({ ...options, socket: tunnel } as https.RequestOptions);
          if (secure && callback) callback(null, secure);
        });
      }),
    );
    return undefined;
  }

  destroy(): void {
    this.pending.destroyAll();
    super.destroy();
  }
}

/** One pair of agents for a datasource whose requests may go through a proxy. */
export function createProxyAgents(
  routes: ProxyRoutes,
  tlsOptions: TlsOptions,
  connectTimeoutMs: number,
): { http: http.Agent; https: https.Agent; foreignHttps?: https.Agent } {
  // The keep-alive probe delay axios sets on every socket: see KEEP_ALIVE_MSECS.
  const common = { keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MSECS, scheduling: 'lifo' as const };
  const httpsAgent = (secureContext: TlsOptions['secureContext']) =>
    new ProxyHttpsAgent(routes, connectTimeoutMs, {
      ...common,
      rejectUnauthorized: tlsOptions.rejectUnauthorized,
      ...(secureContext ? { secureContext } : {}),
    });
  const withoutCert = tlsOptions.withoutClientCertificate;
  return {
    http: new ProxyHttpAgent(routes, connectTimeoutMs, common),
    https: httpsAgent(tlsOptions.secureContext),
    // Other origins than the datasource's: no client certificate (HttpClient).
    ...(withoutCert ? { foreignHttps: httpsAgent(withoutCert.secureContext) } : {}),
  };
}
