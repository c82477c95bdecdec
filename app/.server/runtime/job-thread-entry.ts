/** The job thread (see job-thread.ts): its own services on the same configuration, running the follow-up queues. */
import { parentPort, workerData } from "node:worker_threads";
import { loadConfigFromEnvironment } from "../config.ts";
import { InProcessEngine } from "../jobs/in-process-engine.ts";
import { JOB_THREAD_QUEUES, type ThreadMessage } from "./job-thread.ts";
import { createServices } from "./services.ts";

const port = parentPort!;
try {
  const config = loadConfigFromEnvironment((workerData as { baseDir: string }).baseDir);
  const services = await createServices(config, { walCheckpointer: false, renderMetrics: false });
  const engine = services.jobs.engine as InProcessEngine;
  engine.forward = (queue, id, attempt, delayMs) => port.postMessage({ type: "trigger", queue, id, attempt, delayMs } satisfies ThreadMessage);
  port.on("message", (m: ThreadMessage) => {
    if (m.type === "trigger") void engine.trigger(m.queue, m.id, m.attempt, m.delayMs);
    else if (m.type === "metrics-request") {
      void services.metrics
        .snapshot()
        .catch(() => [])
        .then((metrics) => port.postMessage({ type: "metrics", requestId: m.requestId, metrics } satisfies ThreadMessage));
    } else if (m.type === "stop") {
      void services.jobs
        .stop({ limitMs: m.jobsMs })
        .then((report) => port.postMessage({ type: "stopped", report } satisfies ThreadMessage))
        .catch(() => {})
        .then(() => services.close())
        .catch(() => {})
        // A released job's handler may still wait on a host: the thread ends here, not when it returns.
        .finally(() => {
          port.close();
          process.exit(0);
        });
    }
  });
  await services.jobs.startWorkers(JOB_THREAD_QUEUES);
  port.postMessage({ type: "ready" } satisfies ThreadMessage);
} catch (e) {
  port.postMessage({ type: "failed", error: (e as Error).message } satisfies ThreadMessage);
  port.close();
}
