import { spawn } from "node:child_process";
import path from "node:path";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs bin/keyrelay as a merchant's script would: a separate process, bounded in time. */
export function runCli(args: string[], opts: { env: Record<string, string>; stdin?: string; cwd?: string; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.resolve("bin/keyrelay"), args, { cwd: opts.cwd ?? process.cwd(), env: { ...process.env, LOG_LEVEL: "warn", ...opts.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`keyrelay ${args.join(" ")} did not finish in time\n${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? "");
  });
}
