import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * The app as it is deployed: `node scripts/start.ts [--role=web|worker]` (npm start, start:web,
 * start:worker) in its own process, so the load generator never shares its event loop.
 */
export interface ServerProcess {
  role: "all" | "web" | "worker";
  pid: number;
  /** Peak resident memory so far (Linux VmHWM), MiB; undefined where /proc is not there. */
  peakRssMiB(): number | undefined;
  /** CPU seconds used so far (Linux /proc utime + stime). */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

// Children die with the bench: an interrupted run must not leave an app process holding a port.
const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

/** The node flags `npm start` / `start:web` / `start:worker` use (package.json), so the bench runs the app as deployed. */
export function npmStartFlags(root: string, role: "all" | "web" | "worker"): string[] {
  const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts as Record<string, string>;
  const script = scripts[role === "all" ? "start" : `start:${role}`] ?? "";
  const m = /^node\s+(.*?)\s*scripts\/start\.ts/.exec(script);
  return m ? m[1].split(/\s+/).filter(Boolean) : [];
}

export async function startServer(opts: { root: string; role: "all" | "web" | "worker"; env: Record<string, string>; logFile: string; readyUrl?: string; execArgv?: string[] }): Promise<ServerProcess> {
  const log = fs.openSync(opts.logFile, "a");
  const args = [...npmStartFlags(opts.root, opts.role), ...(opts.execArgv ?? []), path.join(opts.root, "scripts/start.ts"), ...(opts.role === "all" ? [] : [`--role=${opts.role}`])];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: opts.root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...opts.env },
    stdio: ["ignore", log, log],
  });
  children.add(child);
  let exited: number | string | null = null;
  const exit = new Promise<void>((r) =>
    child.once("exit", (code, signal) => {
      exited = signal ?? code;
      children.delete(child);
      r();
    }),
  );
  if (opts.readyUrl) {
    const deadline = Date.now() + 180_000; // start.ts may rebuild the app first
    for (;;) {
      if (exited !== null) throw new Error(`${opts.role} process exited (${exited}) before it was ready; see ${opts.logFile}`);
      const ok = await fetch(opts.readyUrl).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`${opts.role} process not ready after 180 s; see ${opts.logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } else {
    await new Promise((r) => setTimeout(r, 1500));
    if (exited !== null) throw new Error(`${opts.role} process exited (${exited}); see ${opts.logFile}`);
  }
  const pid = child.pid!;
  return {
    role: opts.role,
    pid,
    peakRssMiB() {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) / 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    cpuSeconds() {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return undefined;
      }
    },
    async stop() {
      if (exited === null) child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 25_000);
      await exit;
      clearTimeout(t);
      fs.closeSync(log);
    },
  };
}
