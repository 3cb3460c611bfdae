/**
 * Listening TCP sockets: each accepted connection is handed to the server
 * as a Connection.
 *
 * The fast path listens on a libuv server handle (Node's internal tcp_wrap
 * binding) and passes each accepted handle straight to HandleConnection.
 * Through net.Server, every connection first became a net.Socket (a Duplex
 * stream with its state objects) that the handle path then discarded: a
 * connection per request (redis-benchmark -k 0, PING, five runs) went from
 * 11.8-14.8k to 18.3-26.9k connections/s here (Redis 24.8-33.4k), and the
 * accept that each event-loop turn allows (libuv 1.45+ accepts one
 * connection per turn, so a burst of N connections takes N turns) got
 * cheaper.
 *
 * net.Server with net streams is the fallback: when the bindings are
 * missing, or KEYDB_TS_SOCKET_IO=stream asks for it (diagnostics, and the
 * fallback's tests).
 */
import { lookup } from 'node:dns/promises';
import { createServer, isIP, type Server as NetServer, type Socket } from 'node:net';
import { getSystemErrorMap } from 'node:util';
import { log } from '../log';
import type { Connection } from './connection';
import { HandleConnection, streamBinding, type StreamWrapBinding, type TcpHandle } from './handle-connection';
import { StreamConnection } from './stream-connection';

export interface Listener {
  /** The port bound (the OS picks one for port 0). */
  readonly port: number;
  close(): void;
}

export type ConnectionCallback = (conn: Connection) => void;

interface TcpServerHandle {
  onconnection: (status: number, client?: TcpHandle) => void;
  bind(address: string, port: number): number;
  bind6(address: string, port: number, flags: number): number;
  listen(backlog: number): number;
  getsockname(out: { port?: number }): number;
  close(callback?: () => void): void;
}

interface TcpWrapBinding {
  TCP: new (type: number) => TcpServerHandle;
  constants: { SERVER: number; UV_TCP_IPV6ONLY: number };
}

function loadTcpBinding(): TcpWrapBinding | null {
  try {
    const b = (process as unknown as { binding(name: string): Partial<TcpWrapBinding> }).binding('tcp_wrap');
    const ok = typeof b.TCP === 'function' && typeof b.constants?.SERVER === 'number' && typeof b.constants.UV_TCP_IPV6ONLY === 'number';
    return ok ? (b as TcpWrapBinding) : null;
  } catch {
    return null;
  }
}

const tcpBinding = process.env.KEYDB_TS_SOCKET_IO === 'stream' || streamBinding === null ? null : loadTcpBinding();
let isFallbackLogged = false;

/** Listens on host:port; a failure rejects with Node's wording ("listen EADDRINUSE: address already in use ..."). */
export async function listenTcp(host: string, port: number, backlog: number, onConnection: ConnectionCallback): Promise<Listener> {
  if (tcpBinding !== null && streamBinding !== null) return listenOnHandle(tcpBinding, streamBinding, host, port, backlog, onConnection);
  if (process.env.KEYDB_TS_SOCKET_IO !== 'stream' && !isFallbackLogged) {
    isFallbackLogged = true;
    log.warn('libuv handles are not reachable from this Node.js; client sockets use net streams (slower)');
  }
  return listenOnNetServer(host, port, backlog, onConnection);
}

async function listenOnHandle(
  b: TcpWrapBinding,
  streams: StreamWrapBinding,
  host: string,
  port: number,
  backlog: number,
  onConnection: ConnectionCallback,
): Promise<Listener> {
  // Like net.Server, a host name is resolved (binds take an address).
  const address = isIP(host) !== 0 ? host : (await lookup(host)).address;
  const server = new b.TCP(b.constants.SERVER);
  const isV6 = isIP(address) === 6;
  let status = isV6 ? server.bind6(address, port, b.constants.UV_TCP_IPV6ONLY) : server.bind(address, port);
  if (status === 0) status = server.listen(backlog);
  if (status !== 0) {
    server.close();
    throw listenError(status, address, port);
  }
  server.onconnection = (accepted, handle) => {
    // A failed accept (EMFILE and the like) leaves nothing to serve; libuv keeps listening.
    if (accepted !== 0 || handle === undefined) return;
    onConnection(new HandleConnection(handle, streams));
  };
  const name: { port?: number } = {};
  server.getsockname(name);
  return { port: name.port ?? port, close: () => server.close() };
}

function listenError(status: number, address: string, port: number): Error {
  const [code, text] = getSystemErrorMap().get(status) ?? [`E${-status}`, 'unknown error'];
  const e = new Error(`listen ${code}: ${text} ${address}:${port}`) as Error & { code: string };
  e.code = code;
  return e;
}

function listenOnNetServer(host: string, port: number, backlog: number, onConnection: ConnectionCallback): Promise<Listener> {
  const server: NetServer = createServer({ noDelay: true, pauseOnConnect: true }, (socket: Socket) => onConnection(new StreamConnection(socket)));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog, ipv6Only: host.includes(':') }, () => {
      server.off('error', reject);
      const a = server.address();
      resolve({ port: a !== null && typeof a === 'object' ? a.port : port, close: () => server.close() });
    });
  });
}
