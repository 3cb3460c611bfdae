/**
 * A client connection as the server drives it: bytes in through `onData`,
 * replies out as the output buffer's blocks, flow control, close.
 *
 * Two implementations: HandleConnection runs an accepted TCP connection on
 * its libuv handle directly (the fast path), StreamConnection wraps a
 * net.Socket (the master link's socket, and accepted sockets where the
 * handle path is unavailable or KEYDB_TS_SOCKET_IO=stream asks for it);
 * listener.ts picks one.
 */

export interface ConnectionHandlers {
  /**
   * Bytes [0, length) of chunk were received. The chunk is lent for the call
   * only: the handle path reads every socket into one shared buffer.
   */
  onData(chunk: Buffer, length: number): void;
  /** Called once, when the connection is gone (either side closed it, or an error). */
  onClose(): void;
}

export interface Connection {
  /** Starts reading; events go to the handlers from the next event-loop turn on. */
  start(handlers: ConnectionHandlers): void;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  /** TCP keepalive probes after this many idle seconds (tcp-keepalive). */
  setKeepAlive(seconds: number): void;
  /** The OS file descriptor, or -1. */
  readonly fd: number;
  readonly isClosed: boolean;
  /** Bytes handed to write() that the kernel has not taken yet. */
  readonly unsentBytes: number;
  /** Sends the blocks in order; they must not change until sent. */
  write(blocks: Uint8Array[]): void;
  /** Sends what was written, then closes once the peer has closed its side. */
  end(): void;
  /** Closes now; unsent bytes are dropped. */
  destroy(): void;
  pauseReading(): void;
  resumeReading(): void;
  /** Calls back once unsentBytes is back to 0 (never if the connection closes first). */
  onceDrained(callback: () => void): void;
}
