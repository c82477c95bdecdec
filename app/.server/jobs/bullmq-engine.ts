import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "../logger.ts";
import type { JobEngine } from "./engine.ts";
import type { JobName } from "./job-names.ts";

/**
 * Scale-out: BullMQ on Redis carries triggers between any number of web and worker processes.
 * Retries are decided by the jobs row, not by BullMQ, so a BullMQ job is one attempt of one row.
 */
export class BullMqEngine implements JobEngine {
  readonly kind = "bullmq" as const;
  private readonly producer: Redis;
  private readonly queues = new Map<JobName, Queue>();
  private readonly workers: Worker[] = [];
  private readonly workerConnections: Redis[] = [];

  private readonly url: string;
  private readonly log: Logger;
  private readonly prefix: string;

  constructor(url: string, log: Logger, prefix = "keyrelay") {
    this.url = url;
    this.log = log;
    this.prefix = prefix;
    // Fail fast when Redis is away: the row is already written and the sweeper will re-trigger,
    // so a webhook must not wait on an offline queue.
    this.producer = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.producer.on("error", (e) => this.log.warn({ err: e.message }, "redis producer connection error"));
  }

  private queue(name: JobName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.producer, prefix: this.prefix });
      q.on("error", (e) => this.log.warn({ err: e.message, queue: name }, "bullmq queue error"));
      this.queues.set(name, q);
    }
    return q;
  }

  async trigger(queue: JobName, id: number, attempt: number, delayMs: number): Promise<void> {
    try {
      await this.queue(queue).add(
        "run",
        { jobId: id },
        {
          // One BullMQ job per row attempt: duplicate triggers of the same attempt collapse.
          jobId: `row-${id}-attempt-${attempt}`,
          delay: Math.max(0, Math.round(delayMs)),
          attempts: 1,
          removeOnComplete: true,
          removeOnFail: true,
        },
      );
    } catch (e) {
      this.log.warn({ err: (e as Error).message, jobId: id, queue }, "could not trigger job in Redis; the sweeper will retry");
    }
  }

  async startWorkers(queues: JobName[], run: (id: number) => Promise<void>, concurrency: number): Promise<void> {
    for (const name of queues) {
      const connection = new Redis(this.url, { maxRetriesPerRequest: null });
      connection.on("error", (e) => this.log.warn({ err: e.message }, "redis worker connection error"));
      this.workerConnections.push(connection);
      const w = new Worker(name, async (job) => run(Number(job.data.jobId)), { connection, concurrency, prefix: this.prefix });
      w.on("error", (e) => this.log.warn({ err: e.message, queue: name }, "bullmq worker error"));
      this.workers.push(w);
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  async ping(): Promise<void> {
    const pong = await this.producer.ping();
    if (pong !== "PONG") throw new Error(`unexpected Redis reply ${pong}`);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    for (const c of this.workerConnections) c.disconnect();
    this.producer.disconnect();
  }
}
