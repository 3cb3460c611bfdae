/**
 * A Connection over a net.Socket: the master link's socket (which the link
 * reads itself) and the fallback for accepted sockets.
 */
import type { Socket } from 'node:net';
import { log } from '../log';
import type { Connection, ConnectionHandlers } from './connection';

export class StreamConnection implements Connection {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;

  constructor(private readonly socket: Socket) {
    this.remoteAddress = socket.remoteAddress;
    this.remotePort = socket.remotePort;
    this.localAddress = socket.localAddress;
    this.localPort = socket.localPort;
  }

  start(handlers: ConnectionHandlers): void {
    const socket = this.socket;
    socket.on('data', (chunk: Buffer) => handlers.onData(chunk, chunk.length));
    socket.on('error', (e) => log.debug({ addr: this.remoteAddress, err: e.message }, 'client socket error'));
    socket.on('close', () => handlers.onClose());
    socket.resume();
  }

  setKeepAlive(seconds: number): void {
    this.socket.setKeepAlive(true, seconds * 1000);
  }

  get fd(): number {
    return (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  get unsentBytes(): number {
    return this.socket.writableLength;
  }

  write(blocks: Uint8Array[]): void {
    const socket = this.socket;
    if (blocks.length === 1) {
      socket.write(blocks[0]);
      return;
    }
    socket.cork();
    for (const b of blocks) socket.write(b);
    socket.uncork();
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  onceDrained(callback: () => void): void {
    this.socket.once('drain', callback);
  }
}
