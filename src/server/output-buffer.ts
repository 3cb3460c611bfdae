/**
 * A client's output buffer: replies are encoded straight into a block of
 * bytes, and handed to the socket once per event-loop turn (the server's
 * pending-write pass), so a pipeline of N commands costs one write.
 *
 *   blocks: [ full ][ full ] ... [ current: |sent|unsent|free| ]
 *                                           ^start ^pos
 *
 * Bytes before `start` in the current block were already handed to the socket
 * and are never overwritten; the next flush sends start..pos. A large payload
 * is queued as its own block instead of being copied.
 *
 * Accounting: `pendingBytes` counts what is queued here; the socket's own
 * queue (writableLength) is added by the client for `omem` and the limits.
 * This file knows nothing about RESP; protocol/reply.ts encodes.
 */

const BLOCK_BYTES = 16 * 1024;
/** Payloads at least this large are queued by reference (Buffers) or in their own block. */
const OWN_BLOCK_BYTES = 8 * 1024;
/**
 * Up to this many bytes are copied by a JS loop: for the short replies most
 * commands send it beats a call into native copy/latin1Write (~20 vs ~50 ns
 * for +OK, ~70 vs ~110 ns for 16 bytes, measured with node 20 here).
 */
export const JS_COPY_MAX = 48;
const NO_MEMORY = new ArrayBuffer(0);
/**
 * Blocks of closed clients, handed to the next ones: a block is an
 * ArrayBuffer of its own (malloc'd, counted as external memory), and a
 * client per request (connect, one command, close) made one each, which
 * also hastened full GCs.
 */
const spareBlocks: Buffer[] = [];
const SPARE_BLOCKS_MAX = 64;

export class OutputBuffer {
  private blocks: Uint8Array[] = [];
  private current: Buffer | null = null;
  /**
   * The current block's memory, for views of it: Buffer#subarray reads
   * `.buffer` through a native call (60-100 ns a view against 20-30 for a
   * Uint8Array made from these, node 20 here).
   */
  private currentMemory: ArrayBufferLike = NO_MEMORY;
  private currentOffset = 0;
  private start = 0;
  private pos = 0;
  /** Bytes queued and not yet handed to the socket. */
  pendingBytes = 0;
  /** Called once when the buffer goes from empty to non-empty. */
  onFirstWrite: () => void = noop;
  /** Called when the buffer grows by a block (every ~16 KB): the limit check. */
  onGrow: () => void = noop;

  /** Makes room for n bytes in the current block and returns it. */
  reserve(n: number): Buffer {
    if (this.pendingBytes === 0) this.onFirstWrite();
    let cur = this.current;
    if (cur === null || cur.length - this.pos < n) {
      this.sealCurrent();
      cur = n <= BLOCK_BYTES && spareBlocks.length !== 0 ? spareBlocks.pop()! : Buffer.allocUnsafe(n > BLOCK_BYTES ? n : BLOCK_BYTES);
      this.current = cur;
      this.currentMemory = cur.buffer;
      this.currentOffset = cur.byteOffset;
      this.start = 0;
      this.pos = 0;
      this.onGrow();
    }
    return cur;
  }

  get writePos(): number {
    return this.pos;
  }

  /** Commits n bytes written at writePos into the block returned by reserve(). */
  advance(n: number): void {
    this.pos += n;
    this.pendingBytes += n;
  }

  writeLatin1(s: string): void {
    const n = s.length;
    if (n >= OWN_BLOCK_BYTES) {
      this.writeBuffer(Buffer.from(s, 'latin1'));
      return;
    }
    const b = this.reserve(n);
    const p = this.pos;
    if (n > JS_COPY_MAX) b.latin1Write(s, p);
    else for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
    this.advance(n);
  }

  writeBuffer(data: Buffer): void {
    if (data.length >= OWN_BLOCK_BYTES) {
      if (this.pendingBytes === 0) this.onFirstWrite();
      this.sealCurrent();
      this.blocks.push(data);
      this.pendingBytes += data.length;
      this.onGrow();
      return;
    }
    const n = data.length;
    const b = this.reserve(n);
    const p = this.pos;
    if (n > JS_COPY_MAX) data.copy(b, p);
    else for (let i = 0; i < n; i++) b[p + i] = data[i];
    this.advance(n);
  }

  /** Moves the unsent part of the current block to the queue. */
  private sealCurrent(): void {
    const unsent = this.cutCurrent();
    if (unsent !== null) this.blocks.push(unsent);
  }

  /** The current block's unsent bytes as a view (null if none), from now on counted as sent. */
  private cutCurrent(): Uint8Array | null {
    const cur = this.current;
    if (cur === null) return null;
    let unsent: Uint8Array | null = null;
    if (this.pos > this.start) {
      unsent = new Uint8Array(this.currentMemory, this.currentOffset + this.start, this.pos - this.start);
      this.start = this.pos;
    }
    if (cur.length - this.pos < 64) this.dropCurrent();
    return unsent;
  }

  /** Takes every queued byte for the socket; the caller writes them in order. */
  take(): Uint8Array[] {
    let out: Uint8Array[];
    if (this.blocks.length === 0) {
      // The usual flush, one block's worth: a one-element literal, not a push onto an empty array.
      const unsent = this.cutCurrent();
      out = unsent === null ? [] : [unsent];
    } else {
      this.sealCurrent();
      out = this.blocks;
      this.blocks = [];
    }
    this.pendingBytes = 0;
    return out;
  }

  /** Drops everything and keeps the current block for another client; only once the socket no longer reads from it. */
  recycle(): void {
    const cur = this.current;
    if (cur !== null && cur.length === BLOCK_BYTES && spareBlocks.length < SPARE_BLOCKS_MAX) spareBlocks.push(cur);
    this.clear();
  }

  /** Drops everything queued (a client being closed). */
  clear(): void {
    this.blocks = [];
    this.dropCurrent();
    this.start = 0;
    this.pos = 0;
    this.pendingBytes = 0;
  }

  private dropCurrent(): void {
    this.current = null;
    this.currentMemory = NO_MEMORY;
  }

  /** Number of queued blocks (oll in CLIENT LIST). */
  get blockCount(): number {
    return this.blocks.length + (this.pos > this.start ? 1 : 0);
  }

  /** Bytes in the current block not yet used (obl/obuf free). */
  get currentBlockBytes(): number {
    return this.pos - this.start;
  }
}

function noop(): void {}
