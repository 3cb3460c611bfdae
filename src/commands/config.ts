/**
 * CONFIG GET / SET / REWRITE / RESETSTAT, all driven by the directive table.
 */
import { globMatch } from '../common/glob';
import { rewriteConfigFile } from '../config/rewrite';
import { AnyDirective, D, DIRECTIVES, findDirective } from '../config/directives';
import { log } from '../log';
import { addBulk, addError, addMapLen, addOk } from '../protocol/reply';
import { err } from '../protocol/shared';
import type { Client } from '../server/client';
import { resetCommandStats } from '../server/info';
import { allowsProtectedAction } from '../server/protected-actions';
import { redact } from './args';
import { family } from './command';
import { addHelp } from './connection';

/**
 * CONFIG GET pattern [pattern ...] (configGetCommand). Every name and alias
 * is an entry of its own, as in Redis's config dict: a glob matches entries
 * without case; a plain name is looked up and answered as typed. A name
 * reached twice (any case) is answered once.
 */
function configGetCommand(c: Client, argv: string[]): void {
  const found = new Map<string, [shownAs: string, d: AnyDirective]>();
  for (let i = 2; i < argv.length; i++) {
    const pattern = argv[i];
    if (!/[*?[]/.test(pattern)) {
      const d = findDirective(pattern);
      const entry = pattern.toLowerCase();
      if (d !== undefined && !found.has(entry)) found.set(entry, [pattern, d]);
      continue;
    }
    for (const d of DIRECTIVES) {
      for (const name of [d.name, ...d.aliases]) {
        if (!found.has(name) && globMatch(pattern, name, true)) found.set(name, [name, d]);
      }
    }
  }
  addMapLen(c, found.size);
  for (const [shownAs, d] of found.values()) {
    addBulk(c, shownAs);
    addBulk(c, d.format(c.server.config.get(d)));
  }
}

const SENSITIVE = new Set<AnyDirective | undefined>([D.requirepass, D.masterauth] as AnyDirective[]);

function configSetCommand(c: Client, argv: string[]): void {
  // An odd count leaves a name without a value: Redis answers a syntax error (configSetCommand).
  if (argv.length % 2 !== 0) return addError(c, err.syntax);
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) {
    pairs.push([argv[i], argv[i + 1]]);
    // Passwords never reach SLOWLOG (Redis's SENSITIVE_CONFIG).
    if (SENSITIVE.has(findDirective(argv[i]))) redact(argv, i + 1);
  }
  const config = c.server.config;
  const failure = config.setFromCommand(pairs, allowsProtectedAction(config.get(D.enableProtectedConfigs), c));
  if (failure !== null) return addError(c, failure);
  addOk(c);
}

function configRewriteCommand(c: Client): void {
  try {
    rewriteConfigFile(c.server.config);
  } catch (e) {
    const reason = (e as Error).message;
    log.warn({ reason }, 'CONFIG REWRITE failed');
    if (c.server.config.configFile === null) return addError(c, 'ERR The server is running without a config file');
    return addError(c, `ERR Rewriting config file: ${reason}`);
  }
  log.info({ file: c.server.config.configFile }, 'CONFIG REWRITE executed with success.');
  addOk(c);
}

function configResetstatCommand(c: Client): void {
  c.server.stats.reset();
  c.server.latency.resetLoopDelay();
  c.server.keyspace.expiredKeys = 0;
  resetCommandStats();
  addOk(c);
}

const CONFIG_HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

export const configCommands = family('server', [
  {
    name: 'config',
    arity: -2,
    flags: '',
    summary: 'A container for server configuration commands',
    subcommands: [
      { name: 'get', arity: -3, flags: 'admin noscript loading stale', summary: 'Get the values of configuration parameters', handler: configGetCommand },
      { name: 'set', arity: -4, flags: 'admin noscript loading stale', summary: 'Set configuration parameters to the given values', handler: configSetCommand },
      { name: 'rewrite', arity: 2, flags: 'admin noscript loading stale', summary: 'Rewrite the configuration file with the in memory configuration', handler: configRewriteCommand },
      { name: 'resetstat', arity: 2, flags: 'admin noscript loading stale', summary: 'Reset the stats returned by INFO', handler: configResetstatCommand },
      { name: 'help', arity: 2, flags: 'loading stale', summary: 'Show helpful text about the different subcommands', handler: (c) => addHelp(c, 'CONFIG', CONFIG_HELP) },
    ],
  },
]);
