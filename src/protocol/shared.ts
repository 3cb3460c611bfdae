/**
 * Every constant reply and error text, pre-encoded once. Handlers send these
 * instead of building strings, and tests compare against the same texts Redis
 * sends (t_string.c, server.c, networking.c of Redis 7.0).
 */

const enc = (s: string): Buffer => Buffer.from(s, 'latin1');

export const shared = {
  ok: enc('+OK\r\n'),
  pong: enc('+PONG\r\n'),
  queued: enc('+QUEUED\r\n'),
  zero: enc(':0\r\n'),
  one: enc(':1\r\n'),
  minusOne: enc(':-1\r\n'),
  minusTwo: enc(':-2\r\n'),
  nullBulk2: enc('$-1\r\n'),
  nullArray2: enc('*-1\r\n'),
  null3: enc('_\r\n'),
  emptyArray: enc('*0\r\n'),
  emptyBulk: enc('$0\r\n\r\n'),
  noneType: enc('+none\r\n'),
};

/** Error texts without the leading '-' (reply.addError adds it). */
export const err = {
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  incrNanOrInf: 'ERR increment would produce NaN or Infinity',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  noSuchKey: 'ERR no such key',
  outOfRange: 'ERR index out of range',
  dbIndexOutOfRange: 'ERR DB index is out of range',
  invalidDbIndex: 'ERR invalid DB index',
  invalidExpire: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  noAuth: 'NOAUTH Authentication required.',
  unblocked: 'UNBLOCKED client unblocked via CLIENT UNBLOCK',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  authNotConfigured:
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  readonly: "READONLY You can't write against a read only replica.",
  masterDown:
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  loading: 'LOADING Redis is loading the dataset in memory',
  maxClients: 'ERR max number of clients reached',
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  unknownCommand: (name: string, args: string) => `ERR unknown command '${name}', with args beginning with: ${args}`,
  wrongArity: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  unknownSubcommand: (sub: string, cmd: string) =>
    `ERR unknown subcommand '${sub}'. Try ${cmd.toUpperCase()} HELP.`,
  noScript: 'NOSCRIPT No matching script.',
  debugNotAllowed:
    'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
} as const;
