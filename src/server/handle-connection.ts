/**
 * An accepted TCP connection driven on its libuv handle, below net.Socket.
 *
 * Why: for one short request and reply, Node's stream layer (a 64 KB
 * allocation and an ArrayBuffer per read, Readable push/emit, Writable
 * bookkeeping and a nextTick per write) costs more CPU than the command.
 * Measured here with redis-benchmark -P 1 against a 30-line server: user CPU
 * per request 6.1-9.0 us through net.Socket, 3.5-3.8 us on the handle
 * (Redis: 1.7-2.2 us), throughput 0.58-0.69x -> 0.86-0.87x of Redis.
 *
 * How: the listener (listener.ts) hands over the accepted handle. It reads
 * into one shared buffer (`useUserBuffer`), lent to the handler for the
 * call: the parser copies out only what it has not parsed by then (a
 * partial request, or input behind a blocked command). Writes go to the
 * handle's writeBuffer/writev with a WriteWrap request; libuv tries the
 * write at once, and only a write the kernel did not take whole stays
 * queued (counted in unsentBytes until its completion callback).
 *
 * The handle API is Node's internal stream_wrap binding, reached through
 * process.binding (present in the Node 20 this project pins); when it is
 * missing, streamBinding is null and the listener uses net streams.
 */
import { getSystemErrorName } from 'node:util';
import { log } from '../log';
import type { Connection, ConnectionHandlers } from './connection';

/** The peer's or our own end, as getpeername/getsockname fill it in. */
interface SocketName {
  address?: string;
  port?: number;
}

/** An accepted connection's TCPWrap handle. */
export interface TcpHandle {
  readonly fd: number;
  getpeername(out: SocketName): number;
  getsockname(out: SocketName): number;
  setNoDelay(enable: boolean): number;
  setKeepAlive(enable: boolean, delaySeconds: number): number;
  onread: () => void;
  readStart(): number;
  readStop(): number;
  useUserBuffer(buffer: Uint8Array): void;
  writeBuffer(req: WriteRequest, data: Uint8Array): number;
  writev(req: WriteRequest, chunks: Uint8Array[], allBuffers: boolean): number;
  shutdown(req: ShutdownRequest): number;
  close(callback: () => void): void;
}

/** Node's WriteWrap: libuv calls `oncomplete` on it with a status when a queued write ends. */
interface WriteRequest {
  handle: TcpHandle;
  oncomplete: (this: WriteRequest, status: number) => void;
  async: boolean;
  /** Ours: the connection, and for a queued write its byte count and the blocks libuv still points into. */
  owner: HandleConnection;
  bytes: number;
  blocks: Uint8Array[];
}

interface ShutdownRequest {
  handle: TcpHandle;
  oncomplete: (status: number) => void;
}

export interface StreamWrapBinding {
  WriteWrap: new () => WriteRequest;
  ShutdownWrap: new () => ShutdownRequest;
  /** Results of the last native read/write call, shared with JS. */
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kBytesWritten: number;
  kLastWriteWasAsync: number;
}

function loadBinding(): StreamWrapBinding | null {
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    const ok =
      typeof b.WriteWrap === 'function' &&
      typeof b.ShutdownWrap === 'function' &&
      b.streamBaseState instanceof Int32Array &&
      typeof b.kReadBytesOrError === 'number' &&
      typeof b.kBytesWritten === 'number' &&
      typeof b.kLastWriteWasAsync === 'number';
    return ok ? (b as StreamWrapBinding) : null;
  } catch {
    return null;
  }
}

/** Node's stream_wrap binding; null when this Node.js does not expose it. */
export const streamBinding = loadBinding();
const UV_EOF = -4095;
const NO_BLOCKS: Uint8Array[] = [];
/** Every handle reads into this; whatever is kept of a read is copied out before the next one. */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

function onWriteComplete(this: WriteRequest, status: number): void {
  this.owner.writeEnded(this.bytes, status);
}

function noop(): void {}

export class HandleConnection implements Connection {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  unsentBytes = 0;
  private handle: TcpHandle | null;
  private isReading = false;
  /** end() was called: input is read only to see the peer's close, and dropped. */
  private isEnding = false;
  /** The peer closed its side while writes were queued: the handle closes once they are sent. */
  private isPeerClosed = false;
  private drainCallbacks: (() => void)[] = [];
  private spareRequest: WriteRequest | null = null;
  private handlers: ConnectionHandlers = { onData: noop, onClose: noop };

  constructor(
    handle: TcpHandle,
    private readonly b: StreamWrapBinding,
  ) {
    const peer: SocketName = {};
    const local: SocketName = {};
    handle.getpeername(peer);
    handle.getsockname(local);
    this.remoteAddress = peer.address;
    this.remotePort = peer.port;
    this.localAddress = local.address;
    this.localPort = local.port;
    handle.setNoDelay(true);
    this.handle = handle;
    handle.onread = this.onRead;
    handle.useUserBuffer(readBuffer);
  }

  start(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
    this.resumeReading();
  }

  setKeepAlive(seconds: number): void {
    this.handle?.setKeepAlive(true, seconds);
  }

  get fd(): number {
    return this.handle === null ? -1 : this.handle.fd;
  }

  get isClosed(): boolean {
    return this.handle === null;
  }

  private readonly onRead = (): void => {
    const n = this.b.streamBaseState[this.b.kReadBytesOrError];
    if (n > 0) {
      if (this.isEnding) return;
      this.handlers.onData(readBuffer, n);
      return;
    }
    if (n === 0) return;
    if (n === UV_EOF && this.unsentBytes > 0) {
      // The peer closed its side only: it still gets what we queued for it, as through Node's streams.
      this.isPeerClosed = true;
      this.isReading = false;
      return;
    }
    if (n !== UV_EOF) this.logError('read', n);
    this.destroy();
  };

  write(blocks: Uint8Array[]): void {
    const handle = this.handle;
    if (handle === null || this.isEnding) return;
    // A write the kernel takes whole never reaches libuv's queue, so its request is free again.
    let req = this.spareRequest;
    if (req === null) {
      req = new this.b.WriteWrap();
      req.handle = handle;
      req.oncomplete = onWriteComplete;
      req.async = false;
      req.owner = this;
      req.bytes = 0;
      req.blocks = NO_BLOCKS;
      this.spareRequest = req;
    }
    const status = blocks.length === 1 ? handle.writeBuffer(req, blocks[0]) : handle.writev(req, blocks, true);
    if (status !== 0) {
      this.logError('write', status);
      this.destroy();
      return;
    }
    const state = this.b.streamBaseState;
    if (state[this.b.kLastWriteWasAsync] === 0) return;
    // Part of it is queued in libuv until the socket is writable again; the request is libuv's now.
    this.spareRequest = null;
    req.async = true;
    req.blocks = blocks;
    req.bytes = state[this.b.kBytesWritten];
    this.unsentBytes += req.bytes;
  }

  /** A queued write finished (status 0) or failed. */
  writeEnded(bytes: number, status: number): void {
    if (this.handle === null) return;
    this.unsentBytes -= bytes;
    if (status < 0) {
      this.logError('write', status);
      this.destroy();
      return;
    }
    if (this.unsentBytes !== 0) return;
    if (this.isPeerClosed) {
      this.destroy(); // everything queued for a half-closed peer is sent
      return;
    }
    if (this.drainCallbacks.length === 0) return;
    const callbacks = this.drainCallbacks;
    this.drainCallbacks = [];
    for (const cb of callbacks) cb();
  }

  end(): void {
    const handle = this.handle;
    if (handle === null || this.isEnding) return;
    this.isEnding = true;
    const req = new this.b.ShutdownWrap();
    req.handle = handle;
    req.oncomplete = noop;
    // libuv sends the FIN after the queued writes; the peer's close then ends the handle.
    if (handle.shutdown(req) !== 0) {
      this.destroy();
      return;
    }
    if (!this.isReading && !this.isPeerClosed) this.startReading(handle);
  }

  destroy(): void {
    const handle = this.handle;
    if (handle === null) return;
    this.handle = null;
    this.isReading = false;
    this.drainCallbacks = [];
    handle.close(() => this.handlers.onClose());
  }

  pauseReading(): void {
    const handle = this.handle;
    if (handle === null || !this.isReading || this.isEnding) return;
    this.isReading = false;
    handle.readStop();
  }

  resumeReading(): void {
    const handle = this.handle;
    if (handle === null || this.isReading || this.isPeerClosed) return;
    this.startReading(handle);
  }

  private startReading(handle: TcpHandle): void {
    this.isReading = true;
    const status = handle.readStart();
    if (status !== 0) {
      this.logError('read', status);
      this.destroy();
    }
  }

  onceDrained(callback: () => void): void {
    if (this.handle !== null) this.drainCallbacks.push(callback);
  }

  private logError(op: string, status: number): void {
    log.debug({ addr: this.remoteAddress, op, err: getSystemErrorName(status) }, 'client socket error');
  }
}
