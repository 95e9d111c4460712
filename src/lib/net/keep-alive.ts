/** Socket settings shared by the HTTP client's agents and the proxy agents. */

/**
 * TCP keep-alive probe delay of our agents. axios sets `socket.setKeepAlive(true, 60000)` on
 * every request's socket and Node's agent sets its own `keepAliveMsecs` whenever a socket
 * goes back to the pool; with two different values each request cost eight `setsockopt`
 * calls (strace). With the same value Node skips the call. Custom agents should use it too.
 */
export const KEEP_ALIVE_MSECS = 60_000;
