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
   * error text Redis would send. As in Redis's configSetCommand, every name
   * is checked (unknown, immutable, given twice) before any value is parsed.
   * Redis keeps an alias as an entry of its own, so `slave-read-only` and
   * `replica-read-only` in one call are not duplicates, and a value error
   * names the entry (lower case) the user reached. A protected directive
   * needs `mayChangeProtected` (enable-protected-configs allows this client).
   */
  setFromCommand(pairs: readonly [string, string][], mayChangeProtected: boolean): string | null {
    const targets: AnyDirective[] = [];
    const entryNames: string[] = [];
    for (const [name] of pairs) {
      const d = findDirective(name);
      if (d === undefined) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      if (!d.mutable) return `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`;
      if (d.isProtected === true && !mayChangeProtected) return `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set protected config`;
      const entry = name.toLowerCase();
      if (entryNames.includes(entry)) return `ERR CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`;
      targets.push(d);
      entryNames.push(entry);
    }
    const parsed: unknown[] = [];
    for (let i = 0; i < targets.length; i++) {
      const d = targets[i];
      try {
        parsed.push(d.parse([pairs[i][1]], this.get(d), false));
      } catch (err) {
        const reason = err instanceof ConfigValueError ? err.message : String(err);
        return `ERR CONFIG SET failed (possibly related to argument '${entryNames[i]}') - ${reason}`;
      }
    }
    const previous = targets.map((d) => this.get(d));
    try {
      for (let i = 0; i < targets.length; i++) this.apply(targets[i], parsed[i]);
    } catch (err) {
      for (let i = 0; i < targets.length; i++) this.apply(targets[i], previous[i]);
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
