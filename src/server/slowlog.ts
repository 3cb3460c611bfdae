/**
 * SLOWLOG: commands slower than slowlog-log-slower-than microseconds, newest
 * first, at most slowlog-max-len entries. Arguments are truncated as Redis
 * does (32 args, 128 bytes each) so a huge command cannot bloat the log.
 */
import type { Config } from '../config/config';
import { D } from '../config/directives';

const MAX_ARGS = 32;
const MAX_ARG_BYTES = 128;

export interface SlowLogEntry {
  id: number;
  timeSec: number;
  durationUs: number;
  args: string[];
  peer: string;
  clientName: string;
}

export class SlowLog {
  entries: SlowLogEntry[] = [];
  private nextId = 0;

  /** slowlog-log-slower-than, kept here: every command reads it. */
  thresholdUs: number;

  constructor(private readonly config: Config) {
    this.thresholdUs = config.get(D.slowlogLogSlowerThan);
    config.onChange(D.slowlogLogSlowerThan, (v) => (this.thresholdUs = v));
  }

  record(argv: readonly string[], durationUs: number, peer: string, clientName: string): void {
    const n = Math.min(argv.length, MAX_ARGS);
    const args: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      if (i === MAX_ARGS - 1 && argv.length > MAX_ARGS) {
        args[i] = `... (${argv.length - MAX_ARGS + 1} more arguments)`;
      } else if (argv[i].length > MAX_ARG_BYTES) {
        args[i] = `${argv[i].slice(0, MAX_ARG_BYTES)}... (${argv[i].length - MAX_ARG_BYTES} more bytes)`;
      } else {
        args[i] = argv[i];
      }
    }
    this.entries.unshift({ id: this.nextId++, timeSec: Math.floor(Date.now() / 1000), durationUs, args, peer, clientName });
    const max = this.config.get(D.slowlogMaxLen);
    if (this.entries.length > max) this.entries.length = max;
  }

  reset(): void {
    this.entries = [];
  }
}
