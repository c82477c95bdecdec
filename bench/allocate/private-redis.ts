import { spawn } from "node:child_process";
import net from "node:net";
import { Redis } from "ioredis";

/**
 * A Redis of the bench's own (redis-server on a free port, nothing saved to disk), so INFO
 * commandstats counts BullMQ's commands of this run and no other client's. Undefined when
 * redis-server is not installed (the bench then uses --redis-url's shared Redis).
 */
export async function startPrivateRedis(): Promise<{ url: string; stop(): void } | undefined> {
  const srv = net.createServer().listen(0, "127.0.0.1");
  await new Promise((r) => srv.once("listening", r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  // noeviction: what BullMQ requires of a production Redis too.
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"], { stdio: "ignore" });
  const failed = await new Promise<boolean>((resolve) => {
    child.once("error", () => resolve(true));
    child.once("spawn", () => resolve(false));
  });
  if (failed) return undefined;
  process.once("exit", () => child.kill("SIGKILL"));
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on("error", () => {}); // refused until the server listens: the loop tries again
    const ok = await redis.connect().then(() => redis.ping().then(() => true), () => false);
    redis.disconnect();
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: () => void child.kill("SIGTERM") };
}
