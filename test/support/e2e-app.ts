import { freePort } from "./free-port.ts";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The built app as a real process (`node scripts/start.ts`) on a fresh DATA_DIR and a free port,
 * for the browser tests. npm test builds first; a missing build is an error, not a silent rebuild.
 */

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface E2eApp {
  url: string;
  port: number;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Everything the server wrote to stdout/stderr, for failure messages. */
  output(): string;
  /** Runs bin/keyrelay with this app's environment; `stdin` is written and closed. */
  cli(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startE2eApp(opts: { env?: Record<string, string>; readyTimeoutMs?: number } = {}): Promise<E2eApp> {
  const serverBuild = path.join(projectRoot, "build/server/index.js");
  if (!fs.existsSync(serverBuild)) {
    throw new Error(`${serverBuild} is missing: run \`npx react-router build\` first (npm test builds before running vitest).`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyrelay-e2e-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    APP_URL: url,
    LOG_LEVEL: "warn",
    ...opts.env,
  };

  let output = "";
  const child = spawn(process.execPath, [path.join(projectRoot, "scripts/start.ts")], {
    cwd: projectRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      if (!(await waitForExit(child, 10_000))) {
        child.kill("SIGKILL");
        await waitForExit(child, 5_000);
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  const cli: E2eApp["cli"] = (args, stdin) =>
    new Promise((resolve, reject) => {
      const p = spawn(path.join(projectRoot, "bin/keyrelay"), args, { cwd: projectRoot, env, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      p.once("error", reject);
      p.once("close", (code) => resolve({ code, stdout, stderr }));
      p.stdin.end(stdin ?? "");
    });

  // Bounded wait for readiness; an early exit fails at once with the server's own output.
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
      }
      try {
        const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${url}/readyz did not answer 200 within the time limit:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (e) {
    await stop();
    throw e;
  }

  return { url, port, dataDir, env, output: () => output, cli, stop };
}

/** `admin create` through the app's CLI (the password on stdin); throws with the CLI's output when it fails. Returns its --json answer. */
export async function createAdmin(app: Pick<E2eApp, "cli">, who: { email: string; password: string; accountName?: string }): Promise<Record<string, unknown>> {
  const args = ["admin", "create", "--email", who.email, "--password-stdin", ...(who.accountName ? ["--account-name", who.accountName] : []), "--json"];
  const created = await app.cli(args, who.password + "\n");
  if (created.code !== 0) throw new Error(`admin create failed (${created.code}):\n${created.stdout}\n${created.stderr}`);
  return JSON.parse(created.stdout) as Record<string, unknown>;
}
