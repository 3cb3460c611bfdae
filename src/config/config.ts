/**
 * The live configuration: one value per directive of the table, typed by the
 * directive object used to read it (`config.get(D.port)`). Rooms register
 * change hooks; CONFIG SET applies several directives atomically (a failure
 * rolls all of them back, as Redis 7 does).
 */
import { AnyDirective, Directive, DIRECTIVES, findDirective } from './directives';
import { ConfigValueError } from './values';

type ChangeHook = (value: unknown) => void;

export class Config {
  private readonly values = new Map<AnyDirective, unknown>();
  private readonly hooks = new Map<AnyDirective, ChangeHook[]>();
  /** The file the server was started with, for CONFIG REWRITE; null when none. */
  configFile: string | null = null;

  constructor() {
    for (const d of DIRECTIVES) this.values.set(d, d.defaultValue);
  }

  get<T>(d: Directive<T>): T {
    return this.values.get(d as AnyDirective) as T;
  }

  /** Sets a value without running hooks (used while loading, before rooms exist). */
  setRaw(d: AnyDirective, value: unknown): void {
    this.values.set(d, value);
  }

  onChange<T>(d: Directive<T>, hook: (value: T) => void): void {
    const list = this.hooks.get(d as AnyDirective) ?? [];
    list.push(hook as ChangeHook);
    this.hooks.set(d as AnyDirective, list);
  }

  /**
   * CONFIG SET name value [name value ...]. Returns null on success or the
   * error text Redis would send.
   */
  setFromCommand(pairs: readonly [string, string][]): string | null {
    const parsed: [AnyDirective, unknown][] = [];
    const seen = new Set<AnyDirective>();
    for (const [name, arg] of pairs) {
      const d = findDirective(name);
      if (d === undefined) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      if (seen.has(d)) return `ERR Duplicate parameter - '${name}'`;
      seen.add(d);
      if (!d.mutable) return `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`;
      try {
        parsed.push([d, d.parse([arg], this.get(d), false)]);
      } catch (err) {
        const reason = err instanceof ConfigValueError ? err.message : String(err);
        return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
      }
    }
    const previous = parsed.map(([d]) => [d, this.get(d)] as const);
    try {
      for (const [d, v] of parsed) this.apply(d, v);
    } catch (err) {
      for (const [d, v] of previous) this.apply(d, v);
      const reason = err instanceof Error ? err.message : String(err);
      return `ERR CONFIG SET failed - ${reason}`;
    }
    return null;
  }

  private apply(d: AnyDirective, value: unknown): void {
    this.values.set(d, value);
    const hooks = this.hooks.get(d);
    if (hooks) for (const h of hooks) h(value);
  }
}
