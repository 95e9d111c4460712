/**
 * The two steps of reaching a target through a proxy: a connection to the proxy itself (TLS
 * for an https:// proxy), then, for https targets, a CONNECT tunnel. Both call back once, with
 * a socket or with a PROXY_ERROR that names the proxy by scheme, host and port only.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { ProxyEndpoint } from './proxy';

/** An error the transport maps to PROXY_ERROR; its message never holds credentials. */
export class ProxyConnectError extends Error {
  readonly code = 'PROXY_ERROR';
}

/** host:port as it appears in a CONNECT request or an absolute-form URL (IPv6 in brackets). */
export function authority(host: string, port: number): string {
  return `${net.isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

export function proxyFailure(proxy: ProxyEndpoint, problem: string): ProxyConnectError {
  return new ProxyConnectError(`proxy ${proxy.label} ${problem}`);
}

function describeConnectError(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO|^ERR_TLS_|^ERR_SSL_/.test(code)) {
    return `presented a certificate that is not trusted (${code}); an https:// proxy is verified against Node's trusted roots and NODE_EXTRA_CA_CERTS`;
  }
  return `cannot be reached: ${code || err.message}`;
}

export type SocketCallback = (err: Error | null, socket?: net.Socket) => void;

/**
 * Connect to the proxy itself (TLS for an https:// proxy). Calls back once: with the connected
 * socket, or with a PROXY_ERROR that names the proxy, never the target.
 */
export function reachProxy(proxy: ProxyEndpoint, timeoutMs: number, done: SocketCallback): net.Socket {
  const secure = proxy.protocol === 'https:';
  const socket = secure
    ? tls.connect({
        host: proxy.hostname,
        port: proxy.port,
        servername: net.isIP(proxy.hostname) ? undefined : proxy.hostname,
        ALPNProtocols: ['http/1.1'],
      })
    : net.connect({ host: proxy.hostname, port: proxy.port });
  let settled = false;
  const finish = (err: Error | null) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.off('close', onClose);
    if (err) {
      // The 'error' listener stays: a socket being torn down may still report one.
      socket.destroy();
      done(err);
    } else {
      socket.off('error', onError);
      done(null, socket);
    }
  };
  const onError = (err: NodeJS.ErrnoException) => finish(proxyFailure(proxy, describeConnectError(err)));
  const timer = setTimeout(() => finish(proxyFailure(proxy, `did not answer within ${timeoutMs} ms`)), timeoutMs);
  socket.once(secure ? 'secureConnect' : 'connect', () => finish(null));
  socket.on('error', onError);
  // A destroy() before the connection is made (the datasource closed) ends here too.
  const onClose = () => finish(proxyFailure(proxy, 'closed the connection'));
  socket.once('close', onClose);
  return socket;
}

/** Ask a connected proxy for a CONNECT tunnel to host:port; calls back once with the raw tunnel. */
export function openTunnel(
  proxy: ProxyEndpoint,
  socket: net.Socket,
  host: string,
  port: number,
  timeoutMs: number,
  done: SocketCallback,
): void {
  const target = authority(host, port);
  const headers: Record<string, string> = { Host: target };
  if (proxy.authorization) headers['Proxy-Authorization'] = proxy.authorization;
  // No agent: this one connection becomes the tunnel, it is never pooled as a proxy connection.
  const req = http.request({ method: 'CONNECT', path: target, headers, createConnection: () => socket });
  let settled = false;
  const finish = (err: Error | null, tunnel?: net.Socket) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (err) socket.destroy();
    done(err, tunnel);
  };
  const timer = setTimeout(
    () => finish(proxyFailure(proxy, `did not open a tunnel to ${target} within ${timeoutMs} ms`)),
    timeoutMs,
  );
  req.once('connect', (res: http.IncomingMessage, tunnel: net.Socket, head: Buffer) => {
    if (res.statusCode !== 200) {
      const status = `HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim();
      finish(proxyFailure(proxy, `refused the tunnel to ${target}: ${status}`));
      return;
    }
    if (head.length) tunnel.unshift(head);
    finish(null, tunnel);
  });
  req.once('response', (res: http.IncomingMessage) => {
    res.resume();
    finish(proxyFailure(proxy, `answered the tunnel request with HTTP ${res.statusCode}`));
  });
  // on, not once: a second error of a request being torn down must not go uncaught.
  req.on('error', (err: NodeJS.ErrnoException) => finish(proxyFailure(proxy, describeConnectError(err))));
  req.end();
}
