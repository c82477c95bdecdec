import path from "node:path";
import { createRequestHandler } from "@react-router/express";
import express, { type Express } from "express";
import type { ServerBuild } from "react-router";
import type { Services } from "../ports.ts";
import { metricsRoute } from "./metrics-endpoint.ts";
import type { ShutdownGate } from "./shutdown-gate.ts";
import { webhookFastPath } from "./webhook-fast-path.ts";

/** The HTTP server: webhooks first (answered without React Router), static assets from the client build, everything else through React Router. */
export function createHttpApp(services: Services, build: ServerBuild, buildDir: string, gate?: ShutdownGate): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", services.config.trustProxy);
  // A stopping process answers /readyz 503 and, once drained, refuses webhooks (shutdown-gate.ts).
  if (gate) app.use(gate.middleware());
  app.use(webhookFastPath(services));
  // 404 unless METRICS_TOKEN is set (README "Metrics"); METRICS_PORT's own listener is separate.
  app.use(metricsRoute(services, "app"));
  app.use("/assets", express.static(path.join(buildDir, "client/assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(buildDir, "client"), { maxAge: "1h", index: false }));
  app.all("*", createRequestHandler({ build, getLoadContext: (req) => ({ services, clientIp: req.ip ?? "unknown" }) }));
  return app;
}
