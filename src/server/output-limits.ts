/**
 * client-output-buffer-limit enforcement (Redis's checkClientOutputBufferLimits
 * and closeClientOnOutputBufferLimitReached). A client's output memory is what
 * its OutputBuffer queues plus what its socket has not yet sent. For the
 * client's class (normal, replica, pubsub):
 *   - hard limit: closed as soon as the memory reaches it;
 *   - soft limit: closed when the memory stays at or above it for longer than
 *     its seconds (the first sighting starts the clock, dropping below resets).
 * Checks run when the buffer grows by a block, after each socket hand-off and
 * from the cron for clients above a soft limit. A client over its limit is
 * only flagged here; the server closes it between commands.
 */
import type { Config } from '../config/config';
import { D, ClientClass, OutputBufferLimits } from '../config/directives';
import { log } from '../log';
import { Client, ClientFlag } from './client';
import { clientInfoLine } from './client-info';
import type { Stats } from './stats';

export class OutputLimits {
  private limits: OutputBufferLimits;
  /** Clients whose output is at or above their soft limit (the clock is running). */
  private readonly overSoft = new Set<Client>();

  constructor(
    config: Config,
    private readonly stats: Stats,
  ) {
    this.limits = config.get(D.clientOutputBufferLimit);
    config.onChange(D.clientOutputBufferLimit, (v) => (this.limits = v));
  }

  /** True when the class has a limit (normal 0 0 0 has none). */
  isLimited(cls: ClientClass): boolean {
    const l = this.limits[cls];
    return l.hardBytes !== 0 || l.softBytes !== 0;
  }

  check(c: Client): void {
    if ((c.flags & ClientFlag.CloseAsap) !== 0) return;
    const cls = c.clientClass;
    const limit = this.limits[cls];
    if (limit.hardBytes === 0 && limit.softBytes === 0) return;
    const used = c.outputBytes;
    if (limit.hardBytes !== 0 && used >= limit.hardBytes) {
      this.close(c, cls, used, 'hard');
      return;
    }
    if (limit.softBytes !== 0 && used >= limit.softBytes) {
      const now = Date.now();
      if (c.softLimitSinceMs === 0) {
        c.softLimitSinceMs = now;
        this.overSoft.add(c);
      } else if (now - c.softLimitSinceMs > limit.softSeconds * 1000) {
        this.close(c, cls, used, 'soft');
      }
      return;
    }
    if (c.softLimitSinceMs !== 0) {
      c.softLimitSinceMs = 0;
      this.overSoft.delete(c);
    }
  }

  /** Cron: soft-limit clocks advance even when a client's buffer does not grow. */
  checkSoftLimits(): void {
    for (const c of this.overSoft) {
      if ((c.flags & ClientFlag.CloseAsap) !== 0 || c.conn?.isClosed) this.overSoft.delete(c);
      else this.check(c);
    }
  }

  forget(c: Client): void {
    this.overSoft.delete(c);
  }

  private close(c: Client, cls: ClientClass, used: number, which: 'hard' | 'soft'): void {
    this.overSoft.delete(c);
    this.stats.clientOutputBufferLimitDisconnections++;
    const limit = this.limits[cls];
    log.warn(
      {
        client: clientInfoLine(c),
        class: cls,
        limit: which,
        omemBytes: used,
        hardLimitBytes: limit.hardBytes,
        softLimitBytes: limit.softBytes,
        softLimitSeconds: limit.softSeconds,
      },
      `Client id=${c.id} addr=${c.addr} scheduled to be closed ASAP for overcoming of output buffer limits.`,
    );
    c.closeAsap(`output buffer ${which} limit reached (${cls})`);
    // Nothing queued for this client will be sent: release it now.
    c.out.clear();
  }
}
