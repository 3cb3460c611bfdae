/**
 * Process wiring: command line → config → logger → server → listen, and the
 * stop order on SHUTDOWN or SIGTERM/SIGINT. Nothing here serves requests.
 */
import { writeFileSync, unlinkSync } from 'node:fs';
import { Command as Cli } from 'commander';
import { loadConfig, ConfigLoadError } from './config/load';
import { D } from './config/directives';
import { closeLog, configureLog, log, setLogLevel, type RedisLogLevel } from './log';
import { Server, VERSION } from './server/server';
import { installPersistence } from './persistence/persistence';
import { loadAtStartup } from './persistence/load';

const PACKAGE_VERSION: string = (require('../package.json') as { version: string }).version;

/** `--help` / `--version` through commander; every other flag is a config directive. */
function handleInfoFlags(argv: string[]): boolean {
  const first = argv[0];
  if (first !== '-h' && first !== '--help' && first !== '-v' && first !== '--version') return false;
  const cli = new Cli('keydb-ts-server')
    .usage('[/path/to/keydb.conf] [--directive value ...]')
    .description('A Redis/KeyDB-compatible server. Every keydb.conf directive can be given as --directive value.')
    .version(`keydb-ts-server v=${PACKAGE_VERSION} redis_version=${VERSION} node=${process.version}`, '-v, --version')
    .addHelpText(
      'after',
      '\nExamples:\n  keydb-ts-server                        (run with built-in defaults)\n' +
        '  keydb-ts-server /etc/keydb/keydb.conf\n  keydb-ts-server --port 7777\n' +
        '  keydb-ts-server --port 7777 --replicaof 127.0.0.1 8888\n' +
        '  keydb-ts-server /etc/mykeydb.conf --loglevel verbose\n' +
        '  keydb-ts-server --multi-master yes --active-replica yes --replicaof 10.0.0.2 6379',
    );
  cli.parse(argv, { from: 'user' });
  return true;
}

export async function main(argv: string[]): Promise<void> {
  if (handleInfoFlags(argv)) return;
  let configFile: string | null = null;
  let flags = argv;
  if (argv.length > 0 && !argv[0].startsWith('--')) {
    configFile = argv[0] === '-' ? '/dev/stdin' : argv[0];
    flags = argv.slice(1);
  }
  let config;
  try {
    config = loadConfig(configFile, flags);
  } catch (e) {
    if (e instanceof ConfigLoadError) {
      process.stderr.write(e.report(PACKAGE_VERSION));
      process.exit(1);
    }
    throw e;
  }
  configureLog(config.get(D.loglevel) as RedisLogLevel, config.get(D.logfile));
  if (config.get(D.multiMaster) && !config.get(D.activeReplica)) {
    log.fatal('Multi Master requires active replication to be enabled');
    await closeLog();
    process.exit(1);
  }

  config.onChange(D.loglevel, (v) => setLogLevel(v as RedisLogLevel));
  const server = new Server(config);
  const persistence = installPersistence(server);
  try {
    await server.listen();
  } catch (e) {
    log.fatal({ err: (e as Error).message }, 'Failed to start');
    await closeLog();
    process.exit(1);
  }
  const pidfile = config.get(D.pidfile);
  if (pidfile !== '') writeFileSync(pidfile, `${process.pid}\n`);
  log.info(
    { version: PACKAGE_VERSION, redis_version: VERSION, port: server.boundPort, mode: 'standalone', config_file: config.configFile },
    'Server initialized',
  );

  let isStopping = false;
  /** Saves (per save rules or SHUTDOWN SAVE/NOSAVE) and exits; false when the save failed and we keep running. */
  const stop = (reason: string, save: boolean | null): boolean => {
    if (isStopping) return true;
    isStopping = true;
    server.isShuttingDown = true;
    log.warn({ reason, save }, 'User requested shutdown...');
    if (!persistence.prepareForShutdown(save)) {
      // Redis keeps running when the final save fails, so no data is lost silently.
      isStopping = false;
      server.isShuttingDown = false;
      return false;
    }
    void exit();
    return true;
  };
  const exit = async (): Promise<void> => {
    await server.close();
    if (pidfile !== '') {
      try {
        unlinkSync(pidfile);
      } catch (e) {
        log.warn({ err: (e as Error).message }, 'Could not remove the pid file');
      }
    }
    log.warn('keydb-ts-server is now ready to exit, bye bye...');
    await closeLog();
    process.exit(0);
  };
  server.onShutdown = (save) => stop('SHUTDOWN command', save);
  process.on('SIGTERM', () => stop('SIGTERM', null));
  process.on('SIGINT', () => stop('SIGINT', null));

  // Clients connecting meanwhile get -LOADING; a bad file stops us before any data is served.
  persistence.replicationAux = () => server.replication.auxForSave();
  try {
    const loaded = await loadAtStartup(server, persistence);
    server.replication.start(loaded?.replication ?? {});
  } catch (e) {
    log.fatal({ dir: config.get(D.dir), dbfilename: config.get(D.dbfilename), err: (e as Error).message }, 'Bad RDB file: refusing to start, the file is left untouched');
    await closeLog();
    process.exit(1);
  }
  log.info({ port: server.boundPort }, 'Ready to accept connections tcp');
}
