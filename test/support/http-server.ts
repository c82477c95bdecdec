import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "react-router";
import { createHttpApp } from "../../app/.server/runtime/http-app.ts";
import type { Services } from "../../app/.server/ports.ts";

const buildDir = path.resolve("build");

/** Serves the real production build (npm test builds it first) on a random local port. */
export async function startHttp(services: Services, listenPort = 0): Promise<{ url: string; close(): Promise<void> }> {
  const entry = path.join(buildDir, "server/index.js");
  if (!fs.existsSync(entry)) throw new Error("build/server/index.js is missing: run `npm run build` (npm test does)");
  const build = (await import(pathToFileURL(entry).href)) as ServerBuild;
  const server = createHttpApp(services, build, buildDir).listen(listenPort, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
