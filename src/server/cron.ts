/**
 * Periodic work at `hz` times per second (Redis's serverCron): active expiry
 * within a time budget, idle-client timeouts, and the per-second rates
 * INFO reports (instantaneous ops/sec and network kbps, Redis's
 * trackInstantaneousMetric). Other rooms add tasks with `every`.
 */
import { D } from '../config/directives';
import { ClientFlag } from './client';
import type { Server } from './server';

/** Share of each tick active expiry may use (Redis: 25% of CPU at most)... */
const EXPIRE_BUDGET_SHARE = 0.25;
/** ...spent in slices this long, other events served in between, so it never stalls the loop. */
const EXPIRE_SLICE_MS = 2;
const RATE_SAMPLES = 16;

/** A counter's rate per second, averaged over the last RATE_SAMPLES samples. */
class RateSampler {
  private samples: number[] = [];
  private lastCount = 0;
  private lastSampleMs = Date.now();

  sample(count: number, now: number): void {
    const elapsed = now - this.lastSampleMs;
    if (elapsed > 0) {
      this.samples.push(((count - this.lastCount) * 1000) / elapsed);
      if (this.samples.length > RATE_SAMPLES) this.samples.shift();
    }
    this.lastCount = count;
    this.lastSampleMs = now;
  }

  get perSecond(): number {
    if (this.samples.length === 0) return 0;
    let sum = 0;
    for (const s of this.samples) sum += s;
    return sum / this.samples.length;
  }
}

interface Task {
  periodMs: number;
  lastRunMs: number;
  run: () => void;
}

export class Cron {
  private timer: NodeJS.Timeout | null = null;
  private tasks: Task[] = [];
  private readonly ops = new RateSampler();
  private readonly netInput = new RateSampler();
  private readonly netOutput = new RateSampler();
  cronloops = 0;

  constructor(private readonly server: Server) {
    this.every(1000, () => this.closeIdleClients());
    this.every(100, () => this.sampleRates());
    this.every(1000, () => server.latency.sampleEventLoop());
    this.every(100, () => server.outputLimits.checkSoftLimits());
  }

  every(periodMs: number, run: () => void): void {
    this.tasks.push({ periodMs, lastRunMs: Date.now(), run });
  }

  start(): void {
    this.schedule();
    this.server.config.onChange(D.hz, () => this.schedule());
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.stop();
    const periodMs = 1000 / this.server.config.get(D.hz);
    this.timer = setInterval(() => this.tick(periodMs), periodMs);
    this.timer.unref();
  }

  private tick(periodMs: number): void {
    this.cronloops++;
    this.expireInSlices(performance.now() + Math.min(periodMs * EXPIRE_BUDGET_SHARE, 25));
    const now = Date.now();
    for (const t of this.tasks) {
      if (now - t.lastRunMs >= t.periodMs) {
        t.lastRunMs = now;
        t.run();
      }
    }
  }

  /** Runs active expiry slice by slice until it is done or the tick's budget is spent. */
  private expireInSlices(deadline: number): void {
    const expire = this.server.activeExpire;
    expire.cycle(EXPIRE_SLICE_MS);
    if (expire.stoppedAtDeadline && performance.now() < deadline) setImmediate(() => this.expireInSlices(deadline));
  }

  private closeIdleClients(): void {
    const timeoutSec = this.server.limits.timeoutSec;
    if (timeoutSec === 0) return;
    const now = Date.now();
    for (const c of this.server.clients.values()) {
      // Replicas, the master link, blocked clients and subscribers are exempt, as in Redis.
      if ((c.flags & (ClientFlag.Master | ClientFlag.Replica | ClientFlag.Blocked)) !== 0) continue;
      if (c.subscriptionCount > 0) continue;
      if (now - c.lastInteractionMs > timeoutSec * 1000) c.closeAsap('idle timeout');
    }
  }

  private sampleRates(): void {
    const now = Date.now();
    const stats = this.server.stats;
    this.ops.sample(stats.totalCommandsProcessed, now);
    this.netInput.sample(stats.totalNetInputBytes, now);
    this.netOutput.sample(stats.totalNetOutputBytes, now);
  }

  get instantaneousOpsPerSec(): number {
    return Math.round(this.ops.perSecond);
  }

  /** KB per second received, as INFO's instantaneous_input_kbps prints it (%.2f). */
  get instantaneousInputKbps(): string {
    return (this.netInput.perSecond / 1024).toFixed(2);
  }

  get instantaneousOutputKbps(): string {
    return (this.netOutput.perSecond / 1024).toFixed(2);
  }
}
