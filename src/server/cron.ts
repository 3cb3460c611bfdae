/**
 * Periodic work at `hz` times per second (Redis's serverCron): active expiry
 * within a time budget, idle-client timeouts, and the per-second samples
 * INFO reports (instantaneous ops/sec). Other rooms add tasks with `every`.
 */
import { D } from '../config/directives';
import { ClientFlag } from './client';
import type { Server } from './server';

/** Share of each tick active expiry may use (Redis: 25% of CPU at most). */
const EXPIRE_BUDGET_SHARE = 0.25;
const OPS_SAMPLES = 16;

interface Task {
  periodMs: number;
  lastRunMs: number;
  run: () => void;
}

export class Cron {
  private timer: NodeJS.Timeout | null = null;
  private tasks: Task[] = [];
  private opsSamples: number[] = [];
  private lastOpsCount = 0;
  private lastOpsSampleMs = Date.now();
  cronloops = 0;

  constructor(private readonly server: Server) {
    this.every(1000, () => this.closeIdleClients());
    this.every(100, () => this.sampleOps());
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
    this.server.activeExpire.cycle(Math.min(periodMs * EXPIRE_BUDGET_SHARE, 25));
    const now = Date.now();
    for (const t of this.tasks) {
      if (now - t.lastRunMs >= t.periodMs) {
        t.lastRunMs = now;
        t.run();
      }
    }
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

  private sampleOps(): void {
    const now = Date.now();
    const count = this.server.stats.totalCommandsProcessed;
    const elapsed = now - this.lastOpsSampleMs;
    if (elapsed > 0) {
      this.opsSamples.push(((count - this.lastOpsCount) * 1000) / elapsed);
      if (this.opsSamples.length > OPS_SAMPLES) this.opsSamples.shift();
    }
    this.lastOpsCount = count;
    this.lastOpsSampleMs = now;
  }

  get instantaneousOpsPerSec(): number {
    if (this.opsSamples.length === 0) return 0;
    let sum = 0;
    for (const s of this.opsSamples) sum += s;
    return Math.round(sum / this.opsSamples.length);
  }
}
