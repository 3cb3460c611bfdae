/**
 * LATENCY monitor: events whose duration passed latency-monitor-threshold
 * (ms), 160 samples each, one per second at most (Redis's latency.c). Besides
 * Redis's "command" event we record "eventloop": the worst event-loop delay
 * of each second, so a stalled loop is visible here and in INFO stats
 * (eventloop_max_delay_ms).
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/config';
import { D } from '../config/directives';

const HISTORY = 160;
/**
 * The loop-delay timer's period: a delay is how late the loop ran this
 * timer. Not perf_hooks' monitorEventLoopDelay: its histogram records the
 * whole gap between ticks (an idle loop reads ~10 ms), and resetting it for
 * each one-second sample also drops the gap in flight, so a stall followed
 * by the sample before the next tick was never seen.
 */
const LOOP_TICK_MS = 10;

interface Sample {
  timeSec: number;
  ms: number;
}

interface EventSeries {
  samples: Sample[];
  maxMs: number;
}

export class LatencyMonitor {
  private readonly events = new Map<string, EventSeries>();
  private lastTickMs = performance.now();
  /** Worst delay of the current one-second window, ms. */
  private windowMaxMs = 0;
  /** Worst event-loop delay since start or CONFIG RESETSTAT, ms. */
  maxLoopDelayMs = 0;

  /** latency-monitor-threshold in ms (0 = off), kept here for the per-command check. */
  thresholdMs: number;

  constructor(config: Config) {
    this.thresholdMs = config.get(D.latencyMonitorThreshold);
    config.onChange(D.latencyMonitorThreshold, (v) => (this.thresholdMs = v));
    setInterval(this.tick, LOOP_TICK_MS).unref();
  }

  private readonly tick = (): void => {
    const now = performance.now();
    const lateMs = now - this.lastTickMs - LOOP_TICK_MS;
    this.lastTickMs = now;
    if (lateMs > this.windowMaxMs) this.windowMaxMs = lateMs;
  };

  /** Called each second by the cron: folds the window's worst delay into the stats. */
  sampleEventLoop(): void {
    const worstMs = Math.round(this.windowMaxMs);
    this.windowMaxMs = 0;
    if (worstMs > this.maxLoopDelayMs) this.maxLoopDelayMs = worstMs;
    this.add('eventloop', worstMs);
  }

  /** CONFIG RESETSTAT: forget the worst delay so far (a gap in flight still counts when it ends). */
  resetLoopDelay(): void {
    this.windowMaxMs = 0;
    this.maxLoopDelayMs = 0;
  }

  /** Records a latency if it passes the configured threshold (0 = monitor off). */
  add(event: string, ms: number): void {
    const threshold = this.thresholdMs;
    if (threshold === 0 || ms < threshold) return;
    const nowSec = Math.floor(Date.now() / 1000);
    let series = this.events.get(event);
    if (series === undefined) this.events.set(event, (series = { samples: [], maxMs: 0 }));
    const last = series.samples[series.samples.length - 1];
    if (last !== undefined && last.timeSec === nowSec) {
      if (ms > last.ms) last.ms = ms;
    } else {
      series.samples.push({ timeSec: nowSec, ms });
      if (series.samples.length > HISTORY) series.samples.shift();
    }
    if (ms > series.maxMs) series.maxMs = ms;
  }

  latest(): { name: string; timeSec: number; latestMs: number; maxMs: number }[] {
    const out = [];
    for (const [name, s] of this.events) {
      const last = s.samples[s.samples.length - 1];
      out.push({ name, timeSec: last.timeSec, latestMs: last.ms, maxMs: s.maxMs });
    }
    return out;
  }

  history(event: string): Sample[] {
    return this.events.get(event)?.samples ?? [];
  }

  /** Resets the named events (all when none named); returns how many were reset. */
  reset(names: string[]): number {
    if (names.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let n = 0;
    for (const name of names) if (this.events.delete(name)) n++;
    return n;
  }

  doctor(): string {
    if (this.events.size === 0) return 'I have no latency reports to show. Dave, latency monitoring is disabled or no event crossed the threshold.\n';
    let text = 'Latency events recorded:\n';
    for (const e of this.latest()) text += `- ${e.name}: latest ${e.latestMs} ms, max ${e.maxMs} ms\n`;
    return text;
  }
}
