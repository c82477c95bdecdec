import type { Server } from "node:http";
import express, { type Request, type Response, type Router } from "express";
import { metricsAccess } from "../http/metrics-access.ts";
import type { Services } from "../ports.ts";

/** GET /metrics in Prometheus text format, for the app's own port or the metrics listener. */
export function metricsRoute(s: Pick<Services, "config" | "metrics" | "log">, listener: "app" | "metrics"): Router {
  const router = express.Router();
  router.get("/metrics", (req, res) => void answer(s, listener, req, res));
  return router;
}

async function answer(s: Pick<Services, "config" | "metrics" | "log">, listener: "app" | "metrics", req: Request, res: Response): Promise<void> {
  const access = metricsAccess(s.config, req.headers.authorization, listener);
  res.setHeader("Cache-Control", "no-store");
  if (access === "off") {
    res.status(404).type("text/plain").end("Not Found\n");
    return;
  }
  if (access === "unauthorized") {
    res.status(401).setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
    res.type("text/plain").end("Unauthorized\n");
    return;
  }
  try {
    const { contentType, body } = await s.metrics.render();
    res.status(200).setHeader("Content-Type", contentType);
    res.end(body);
  } catch (e) {
    s.log.error({ err: (e as Error).message }, "metrics: the scrape failed");
    res.status(500).type("text/plain").end("metrics unavailable\n");
  }
}

/**
 * METRICS_PORT: a listener that serves only /metrics (the worker has no other HTTP server; the web
 * process gets a port Prometheus can reach without exposing the app's). Undefined when it is not set.
 */
export function startMetricsServer(s: Pick<Services, "config" | "metrics" | "log">): Promise<Server> | undefined {
  const { port, host } = s.config.metrics;
  if (port === undefined) return undefined;
  const app = express();
  app.disable("x-powered-by");
  app.use(metricsRoute(s, "metrics"));
  app.use((_req, res) => void res.status(404).type("text/plain").end("Not Found\n"));
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => {
      s.log.info(`metrics: http://${host}:${port}/metrics`);
      resolve(server);
    });
    server.once("error", reject);
  });
}
