import fs from "node:fs";
import type { Worker } from "node:worker_threads";

/**
 * Memory and time measurement shared by the phases. Worker threads (the key sealer's) live in the
 * same process, so the process RSS counts them too; each phase runs in its own child process so
 * one phase's high-water mark never shows up in another's.
 */

const MiB = 1024 * 1024;

export interface RssPeak {
  /** highest process.memoryUsage().rss seen by the 50 ms sampler */
  sampledMiB: number;
  /** the main thread's memoryUsage() at that sample, MiB */
  atPeak: { heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  /** the main thread's largest V8 heapUsed over all samples, MiB */
  maxHeapUsedMiB: number;
  /** getrusage high-water mark of the whole process (process.resourceUsage().maxRSS), since it started */
  maxRssMiB: number;
  samples: number;
}

/**
 * Samples RSS every 50 ms on the main thread's event loop. While the main thread is busy with a
 * synchronous SQLite call the sample is late, so the sampled peak can miss a short spike; maxRSS
 * (kernel high-water mark) cannot.
 */
export class RssSampler {
  private peak = 0;
  private atPeak: NodeJS.MemoryUsage | undefined;
  private samples = 0;
  private maxHeapUsed = 0;
  private timer: NodeJS.Timeout | undefined;

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 50);
  }

  private sample(): void {
    const m = process.memoryUsage();
    if (m.heapUsed > this.maxHeapUsed) this.maxHeapUsed = m.heapUsed;
    if (m.rss > this.peak) {
      this.peak = m.rss;
      this.atPeak = m;
    }
    this.samples += 1;
  }

  stop(): RssPeak {
    this.sample();
    clearInterval(this.timer);
    const a = this.atPeak!;
    const atPeak = { heapTotal: a.heapTotal / MiB, heapUsed: a.heapUsed / MiB, external: a.external / MiB, arrayBuffers: a.arrayBuffers / MiB };
    return { sampledMiB: this.peak / MiB, atPeak, maxHeapUsedMiB: this.maxHeapUsed / MiB, maxRssMiB: process.resourceUsage().maxRSS / 1024, samples: this.samples };
  }
}

export function rssMiB(): number {
  return process.memoryUsage().rss / MiB;
}

/** Accumulates time spent in one kind of work across many calls. */
export class Stopwatch {
  ms = 0;
  time<T>(fn: () => T): T {
    const t = performance.now();
    try {
      return fn();
    } finally {
      this.ms += performance.now() - t;
    }
  }
  async timeAsync<T>(fn: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      this.ms += performance.now() - t;
    }
  }
}

/** The largest V8 heap (total, MiB) each worker thread reached, polled every 250 ms (Node ≥ 24: worker.getHeapStatistics()). */
export class WorkerHeapSampler {
  private readonly peaks = new Map<Worker, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly workers: () => Worker[];

  constructor(workers: () => Worker[]) {
    this.workers = workers;
  }

  start(): void {
    this.timer = setInterval(() => {
      for (const w of this.workers()) {
        w.getHeapStatistics()
          .then((h) => this.peaks.set(w, Math.max(this.peaks.get(w) ?? 0, h.total_heap_size / MiB)))
          .catch(() => {});
      }
    }, 250);
  }

  stop(): number[] {
    clearInterval(this.timer);
    return [...this.peaks.values()];
  }
}

/**
 * Machine-wide busy CPU seconds (Linux /proc/stat, all cores; undefined elsewhere). Subtracting
 * the phase's own CPU time gives what other processes used meanwhile: a noise indicator, since
 * on a 2-core machine anything else running skews the numbers.
 */
export function machineBusySeconds(): number | undefined {
  try {
    const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = cpu;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by the local Postgres server's processes (Linux /proc; 0 when none is
 * visible). Counted apart from the noise: on Postgres the server's work is part of the import.
 * Backends that exit during the section take their CPU with them, so this can undercount a little.
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return 0;
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      if (comm !== "postgres") continue;
      const fields = stat.slice(close + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14, 15)
    } catch {
      // gone meanwhile
    }
  }
  return total;
}
