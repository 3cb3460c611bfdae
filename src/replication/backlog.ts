/**
 * The replication backlog: a byte ring holding the most recent
 * `repl-backlog-size` bytes of the replication stream, addressed by stream
 * offset, so a replica that lost its link can resume with PSYNC from the
 * offset it reached (Redis's repl_backlog).
 *
 *   offsets:  firstByteOffset ............................ endOffset
 *   ring:     [ ... oldest byte | ... | newest byte ... ]   (wraps at size)
 *
 * Offsets are 1-based like Redis's: after N stream bytes, endOffset is N and
 * the first byte held is endOffset - histlen + 1.
 */

export class Backlog {
  private ring: Buffer;
  /** Index in the ring where the next byte goes. */
  private writeIndex = 0;
  /** Bytes held (<= size). */
  histlen = 0;

  constructor(
    sizeBytes: number,
    /** Stream offset of the last byte written (master_repl_offset). */
    public endOffset: number,
  ) {
    this.ring = Buffer.allocUnsafe(sizeBytes);
  }

  get size(): number {
    return this.ring.length;
  }

  get firstByteOffset(): number {
    return this.endOffset - this.histlen + 1;
  }

  append(data: Buffer): void {
    const size = this.ring.length;
    let src = data;
    // Only the last `size` bytes can survive.
    if (src.length > size) src = src.subarray(src.length - size);
    const first = Math.min(src.length, size - this.writeIndex);
    src.copy(this.ring, this.writeIndex, 0, first);
    if (first < src.length) src.copy(this.ring, 0, first);
    this.writeIndex = (this.writeIndex + src.length) % size;
    this.histlen = Math.min(size, this.histlen + src.length);
    this.endOffset += data.length;
  }

  /** True when the bytes from `offset` (the next one a replica wants) to the end are held. */
  canServeFrom(offset: number): boolean {
    return offset >= this.firstByteOffset && offset <= this.endOffset + 1;
  }

  /** The bytes from stream offset `offset` to the end (one or two views into the ring). */
  readFrom(offset: number): Buffer[] {
    const count = this.endOffset - offset + 1;
    if (count <= 0) return [];
    const size = this.ring.length;
    const start = (this.writeIndex - count + size) % size;
    if (start + count <= size) return [Buffer.from(this.ring.subarray(start, start + count))];
    return [Buffer.from(this.ring.subarray(start)), Buffer.from(this.ring.subarray(0, count - (size - start)))];
  }

  /** Changes the capacity (CONFIG SET repl-backlog-size), keeping the newest bytes. */
  resize(sizeBytes: number): void {
    if (sizeBytes === this.ring.length) return;
    const kept = this.readFrom(this.firstByteOffset);
    const end = this.endOffset;
    this.ring = Buffer.allocUnsafe(sizeBytes);
    this.writeIndex = 0;
    this.histlen = 0;
    this.endOffset = end - kept.reduce((n, b) => n + b.length, 0);
    for (const b of kept) this.append(b);
  }
}
