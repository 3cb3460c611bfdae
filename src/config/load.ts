/**
 * Builds a Config from a keydb.conf-style file plus `--directive value` flags,
 * the way redis-server does: the file's text and then the flags (each `--name`
 * starts a new line) are read as one config text, so flags win. `include`
 * pulls in other files. An unknown directive or bad value is a ConfigLoadError
 * carrying the file, line and reason for the FATAL CONFIG FILE ERROR report.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { splitArgs, quoteArg } from '../protocol/split-args';
import { Config } from './config';
import { AnyDirective, D, findDirective } from './directives';
import { ConfigValueError } from './values';

export class ConfigLoadError extends Error {
  constructor(
    readonly source: string,
    readonly lineNumber: number,
    readonly lineText: string,
    readonly reason: string,
  ) {
    super(`${source}:${lineNumber}: ${reason}`);
  }

  /** The report Redis prints before exiting on a bad config. */
  report(version: string): string {
    return (
      `\n*** FATAL CONFIG FILE ERROR (keydb-ts-server ${version}) ***\n` +
      `Reading the configuration file ${this.source}, at line ${this.lineNumber}\n` +
      `>>> '${this.lineText}'\n${this.reason}\n`
    );
  }
}

interface ConfigLine {
  source: string;
  lineNumber: number;
  text: string;
}

const MAX_INCLUDE_DEPTH = 16;

function readLines(file: string, depth: number, out: ConfigLine[]): void {
  let text: string;
  try {
    // latin1 keeps every byte of values such as requirepass as-is.
    text = readFileSync(file, 'latin1');
  } catch (err) {
    throw new ConfigLoadError(file, 0, '', `Can't open the config file: ${(err as Error).message}`);
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const args = splitArgs(raw);
    if (args !== null && args.length >= 1 && args[0].toLowerCase() === 'include') {
      if (args.length !== 2) throw new ConfigLoadError(file, i + 1, raw, 'Bad directive or wrong number of arguments');
      if (depth >= MAX_INCLUDE_DEPTH) throw new ConfigLoadError(file, i + 1, raw, 'include nesting too deep');
      readLines(resolve(file, '..', args[1]), depth + 1, out);
      continue;
    }
    out.push({ source: file, lineNumber: i + 1, text: raw });
  }
}

/** Turns `--port 7000 --save "" --replicaof h 1` into config lines. */
export function argvToLines(argv: readonly string[]): ConfigLine[] {
  const out: ConfigLine[] = [];
  let current: string | null = null;
  const flush = () => {
    if (current !== null) out.push({ source: '(command line)', lineNumber: out.length + 1, text: current });
  };
  for (const arg of argv) {
    if (arg.startsWith('--') && arg.length > 2) {
      flush();
      current = arg.slice(2);
    } else if (current === null) {
      throw new ConfigLoadError('(command line)', out.length + 1, arg, `Invalid argument '${arg}': directives are given as --name value`);
    } else {
      current += ' ' + quoteArg(arg);
    }
  }
  flush();
  return out;
}

export function applyLines(config: Config, lines: readonly ConfigLine[]): void {
  const setInThisLoad = new Set<AnyDirective>();
  for (const line of lines) {
    const args = splitArgs(line.text);
    if (args === null) throw new ConfigLoadError(line.source, line.lineNumber, line.text, 'Unbalanced quotes in configuration line');
    if (args.length === 0) continue;
    const d = findDirective(args[0]);
    if (d === undefined) throw new ConfigLoadError(line.source, line.lineNumber, line.text, 'Bad directive or wrong number of arguments');
    try {
      config.setRaw(d, d.parse(args.slice(1), config.get(d), setInThisLoad.has(d)));
    } catch (err) {
      const reason = err instanceof ConfigValueError ? err.message : String(err);
      throw new ConfigLoadError(line.source, line.lineNumber, line.text, reason);
    }
    setInThisLoad.add(d);
    // KeyDB: "active-replica yes" implies "replica-read-only no"; a later line may set it back (read-only leaf replicas).
    if (d === D.activeReplica && config.get(D.activeReplica)) config.setRaw(D.replicaReadOnly as AnyDirective, false);
  }
}

/** The whole startup load: optional file (first positional argument), then flags. */
export function loadConfig(configFile: string | null, flags: readonly string[]): Config {
  const config = new Config();
  const lines: ConfigLine[] = [];
  if (configFile !== null) {
    config.configFile = resolve(configFile);
    readLines(config.configFile, 0, lines);
  }
  lines.push(...argvToLines(flags));
  applyLines(config, lines);
  return config;
}
