/**
 * Node's Buffer has latin1Slice/latin1Write (the functions behind
 * toString('latin1') and write(s, 'latin1')); @types/node does not list them.
 * The hot path calls them directly to skip the encoding-name dispatch.
 */
export {};

declare global {
  interface Buffer {
    latin1Slice(start?: number, end?: number): string;
    latin1Write(s: string, offset?: number, length?: number): number;
  }
}
