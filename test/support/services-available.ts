import net from "node:net";
import { testEnv } from "./environment.ts";

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname || "127.0.0.1", port: Number(u.port) || defaultPort });
    socket.setTimeout(1_500);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function check(name: string, url: string, port: number): Promise<boolean> {
  const ok = await reachable(url, port);
  if (!ok && testEnv.ci) throw new Error(`${name} is not reachable at ${url}, and CI=true: these tests must run, not skip.`);
  if (!ok) console.warn(`\n!!! ${name} is not reachable at ${url}: its tests are SKIPPED on this machine (they fail under CI=true).\n`);
  return ok;
}

export const postgresAvailable = await check("Postgres", testEnv.postgresUrl, 5432);
export const redisAvailable = await check("Redis", testEnv.redisUrl, 6379);
