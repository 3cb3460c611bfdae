/**
 * A raw TCP peer for protocol tests: sends exact bytes and collects exactly
 * what the server answers, including whether it closed the connection.
 */
import { connect, Socket } from 'node:net';

export class RawConnection {
  private socket: Socket;
  private received = Buffer.alloc(0);
  closed = false;
  private waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d) => {
      this.received = Buffer.concat([this.received, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((res, rej) => {
      const s = connect({ port, host: '127.0.0.1' }, () => res(new RawConnection(s)));
      s.once('error', rej);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Waits until the received bytes satisfy pred, or the timeout; returns them as latin1. */
  async waitFor(pred: (text: string) => boolean, timeoutMs = 3000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.received.toString('latin1'))) {
      if (Date.now() > deadline || (this.closed && !pred(this.received.toString('latin1')))) break;
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.received.toString('latin1');
  }

  /** Sends and waits for `expected` bytes of reply. */
  async roundtrip(data: string | Buffer, untilIncludes: string): Promise<string> {
    const before = this.received.length;
    this.send(data);
    const text = await this.waitFor((t) => t.slice(before).includes(untilIncludes));
    return text.slice(before);
  }

  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    await this.waitFor(() => this.closed, timeoutMs);
    return this.closed;
  }

  get text(): string {
    return this.received.toString('latin1');
  }

  end(): void {
    this.socket.destroy();
  }
}
