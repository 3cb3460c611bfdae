/**
 * THE write funnel. Every change to the keyspace — a client's write, an
 * expiry, an eviction, a write applied from a master — reaches replication
 * and persistence only through `propagate`, already in its deterministic
 * form (the dispatcher passes the command's rewritten argv when a handler set
 * one). Targets (backlog, replica links, active peers) register here; nothing
 * else talks to them.
 */
import type { Server } from '../server/server';
import type { Db } from '../store/db';

export interface PropagationTarget {
  feed(dbId: number, argv: readonly Buffer[]): void;
}

const DEL = Buffer.from('DEL');
const MULTI = [Buffer.from('MULTI')];
const EXEC = [Buffer.from('EXEC')];

export class Propagator {
  private readonly targets: PropagationTarget[] = [];
  /** Inside EXEC: MULTI is emitted before the first write, EXEC after the last. */
  private isInTransaction = false;
  private hasOpenMulti = false;
  private transactionDb = 0;

  constructor(server: Server) {
    server.keyspace.addListener({
      keyExpired: (db: Db, key: string) => {
        server.dirty++;
        this.propagate(db.id, [DEL, Buffer.from(key, 'latin1')]);
      },
      keyWillChange: () => undefined,
    });
  }

  addTarget(t: PropagationTarget): void {
    this.targets.push(t);
  }

  get hasTargets(): boolean {
    return this.targets.length !== 0;
  }

  propagate(dbId: number, argv: readonly Buffer[]): void {
    if (this.isInTransaction && !this.hasOpenMulti) {
      this.hasOpenMulti = true;
      this.transactionDb = dbId;
      this.feed(dbId, MULTI);
    }
    this.feed(dbId, argv);
  }

  beginTransaction(): void {
    this.isInTransaction = true;
  }

  endTransaction(): void {
    if (this.hasOpenMulti) this.feed(this.transactionDb, EXEC);
    this.isInTransaction = false;
    this.hasOpenMulti = false;
  }

  private feed(dbId: number, argv: readonly Buffer[]): void {
    const ts = this.targets;
    for (let i = 0; i < ts.length; i++) ts[i].feed(dbId, argv);
  }
}
