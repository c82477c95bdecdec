import { spawn, type SpawnOptions } from "node:child_process";
import { PermanentError } from "../domain/errors.ts";

/** pg_dump, pg_restore and psql come with the Debian/Ubuntu package postgresql-client. */
export const PG_CLIENT_PACKAGE = "postgresql-client";

export class PgToolMissingError extends PermanentError {
  static override readonly tag: string = "PgToolMissingError";
  constructor(tool: string) {
    super("backup_pg_tool_missing", `${tool} is not on the PATH: install the ${PG_CLIENT_PACKAGE} package (apt-get install ${PG_CLIENT_PACKAGE}), the same major version as the server or newer`, { tool, package: PG_CLIENT_PACKAGE });
  }
}

export class PgToolFailedError extends PermanentError {
  static override readonly tag: string = "PgToolFailedError";
  constructor(tool: string, detail: string) {
    super("backup_pg_tool_failed", `${tool} failed: ${detail}`, { tool, detail });
  }
}

/**
 * The connection for a libpq tool: the URL without its password (a command line is visible to
 * every user in `ps`), the password through PGPASSWORD in the child's environment only.
 */
export function libpqTarget(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = "";
  // The child inherits this process's environment (PATH, locale) plus the password.
  return { dbname: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

export interface ToolRun {
  code: number;
  stderr: string;
}

/** Spawns a Postgres client tool; a missing binary becomes PgToolMissingError. */
export function spawnTool(tool: string, args: string[], opts: SpawnOptions & { onSpawn?: (child: ReturnType<typeof spawn>) => void } = {}): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ["ignore", "ignore", "pipe"], ...opts });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      if (stderr.length < 8_000) stderr += d;
    });
    child.on("error", (e: NodeJS.ErrnoException) => reject(e.code === "ENOENT" ? new PgToolMissingError(tool) : e));
    child.on("close", (code) => resolve({ code: code ?? -1, stderr: stderr.trim() }));
    opts.onSpawn?.(child);
  });
}

/**
 * The line of a tool's stderr that says what went wrong, for an error message: its ERROR/FATAL
 * line if it has one, else its first line that is not the locale warnings Debian's Perl wrapper
 * around psql prints when LANG names a locale the machine lacks.
 */
export function firstLine(s: string): string {
  const lines = s.split("\n").map((l) => l.trim()).filter((l) => l && !/^perl: warning|^\s*(LANGUAGE|LC_ALL|LC_[A-Z]+|LANG) = |^are supported and installed/.test(l) && !l.startsWith("locale:"));
  return (lines.find((l) => /\b(ERROR|FATAL|error):/.test(l)) ?? lines[0] ?? "").slice(0, 500);
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
