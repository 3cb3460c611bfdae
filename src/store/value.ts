/**
 * What a key can hold. A string value is a latin1 JS string: one byte per
 * char, so it is binary-safe and V8 stores it compactly (see
 * PERFORMANCE-NOTES: a Buffer per value costs ~60 MB more per million keys).
 * Collections are objects that carry their type name.
 */

export type TypeName = 'string' | 'list' | 'hash' | 'set' | 'zset';

export interface Collection {
  readonly type: Exclude<TypeName, 'string'>;
  /** Number of elements; a collection at 0 is deleted by the command that emptied it. */
  readonly size: number;
  /** Redis's OBJECT ENCODING name for the current contents. */
  encoding(): string;
  /** An independent copy (COPY, snapshots). */
  clone(): Collection;
}

export type RedisValue = string | Collection;

export function typeOf(v: RedisValue): TypeName {
  return typeof v === 'string' ? 'string' : v.type;
}
