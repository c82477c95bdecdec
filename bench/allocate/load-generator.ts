import http from "node:http";
import { signedPaidOrder, type SignedDelivery } from "./order-payload.ts";

/**
 * Open-loop load: delivery i of a step is due at start + i/rate and is sent then, whatever the
 * earlier ones are doing, and its latency is measured from that due time (not from when a socket
 * was free), so a slow server cannot hide its latency by slowing the sender down (coordinated
 * omission). node:http with a keep-alive agent: cheaper per request than fetch on this machine,
 * where the generator shares two cores with the app.
 */
export interface StepPlan {
  rate: number;
  seconds: number;
  /** First order sequence number of this step; the step uses [firstSeq, firstSeq + rate × seconds). */
  firstSeq: number;
}

export interface StepLoad {
  rate: number;
  seconds: number;
  firstSeq: number;
  sent: number;
  /** Acknowledgement latencies (due time → response end) of the 200 answers, ms, sorted. */
  latenciesMs: number[];
  statuses: Record<string, number>;
  /** Epoch ms of the first due time and of the last answer. */
  startedAt: number;
  lastAnswerAt: number;
  /** How late the generator itself was, at worst, in sending a delivery (ms): its own noise. */
  maxSendLagMs: number;
}

export function keepAliveAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000 });
}

/** `url`: one web process, or several (deliveries go round-robin, as a load balancer would spread them). */
export async function runStep(plan: StepPlan, target: { url: URL | URL[]; shop: string; secret: string; agent: http.Agent }): Promise<StepLoad> {
  const urls = Array.isArray(target.url) ? target.url : [target.url];
  const total = Math.round(plan.rate * plan.seconds);
  // Signed in advance: the generator's own per-request work during the step is the send only.
  const deliveries: SignedDelivery[] = Array.from({ length: total }, (_, i) => signedPaidOrder(plan.firstSeq + i, target.shop, target.secret));
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let answered = 0;
  let lastAnswer = 0;
  let maxLag = 0;
  const intervalMs = 1000 / plan.rate;

  return new Promise<StepLoad>((resolve) => {
    const t0 = performance.now();
    const epoch0 = Date.now();
    let next = 0;
    const done = () => {
      latencies.sort((a, b) => a - b);
      resolve({ rate: plan.rate, seconds: plan.seconds, firstSeq: plan.firstSeq, sent: total, latenciesMs: latencies, statuses, startedAt: epoch0, lastAnswerAt: epoch0 + (lastAnswer - t0), maxSendLagMs: maxLag });
    };
    const settle = (status: string, dueAt: number) => {
      const now = performance.now();
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === "200") latencies.push(now - dueAt);
      lastAnswer = Math.max(lastAnswer, now);
      if (++answered === total) done();
    };
    const send = (i: number, dueAt: number) => {
      const d = deliveries[i];
      const req = http.request(urls[(plan.firstSeq + i) % urls.length], { method: "POST", agent: target.agent, headers: d.headers, timeout: 60_000 }, (res) => {
        res.resume();
        res.on("end", () => settle(String(res.statusCode), dueAt));
        res.on("error", () => settle("response-error", dueAt));
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (e) => settle(`error:${(e as NodeJS.ErrnoException).code ?? e.message}`, dueAt));
      req.end(d.body);
    };
    const tick = () => {
      const now = performance.now();
      while (next < total && t0 + next * intervalMs <= now) {
        const due = t0 + next * intervalMs;
        maxLag = Math.max(maxLag, now - due);
        send(next, due);
        next++;
      }
      if (next < total) setTimeout(tick, Math.max(0, Math.min(1, t0 + next * intervalMs - performance.now())));
    };
    if (total === 0) done();
    else tick();
  });
}
