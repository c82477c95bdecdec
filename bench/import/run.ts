/**
 * Import benchmark (issue 3): a 1,000,000-line CSV through the real import path into a fresh
 * SQLite database, against the raw better-sqlite3 limit measured in the same run; the same on
 * Postgres. Prints keys/s, the ratio to the raw limit and peak RSS. A measurement, not a test: it
 * exits non-zero only when an import's result is wrong (or a phase fails), never for a missed target.
 *
 *   npm run bench:import -- [--lines N] [--skip-postgres] [--profile] [--pg-url URL]
 *                           [--raw-ciphertext-bytes N] [--cpu-prof] [--keep]
 *                           [--only real-sqlite,raw-sqlite,…] [--node-flags="--max-semi-space-size=4"] [--repeat N]
 */
import { fork } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureCsv } from "./generate-csv.ts";
import type { PhaseOptions, PhaseResult } from "./phases.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, "..", "out");

const TARGET_RATIO = 0.5;
const TARGET_RSS_MIB = 300;

const { values: args } = parseArgs({
  options: {
    lines: { type: "string", default: "1000000" },
    "skip-postgres": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "pg-url": { type: "string", default: process.env.KEYRELAY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test" },
    // The real ciphertext is 12 (nonce) + JSON payload + 16 (tag): 84–88 bytes for this file's
    // {"c":"<29 chars>","f":{"pin":"<4–8 digits>"}}, 86 on average.
    "raw-ciphertext-bytes": { type: "string", default: "86" },
    "cpu-prof": { type: "boolean", default: false },
    // Extra Node/V8 flags for the phase processes, e.g. "--max-semi-space-size=4" (experiments).
    "node-flags": { type: "string", default: "" },
    // Comma-separated subset of real-sqlite,raw-sqlite,real-postgres,raw-postgres.
    only: { type: "string" },
    // Run each phase N times and keep the fastest (every run's result is still verified).
    repeat: { type: "string", default: "1" },
    keep: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  console.log(
    "node bench/import/run.ts [--lines N] [--skip-postgres] [--profile] [--pg-url URL] [--raw-ciphertext-bytes N] [--cpu-prof] [--keep] [--only PHASES] [--node-flags=FLAGS] [--repeat N]",
  );
  process.exit(0);
}

const lines = Number(args.lines.replace(/_/g, ""));
const repeat = Math.max(1, Number(args.repeat) || 1);
/** Other processes' CPU above this (cores) during a timed section makes its numbers suspect. */
const NOISE_CORES = 0.25;

function runPhase(name: string, o: PhaseOptions): Promise<PhaseResult> {
  const execArgv = [
    // The real imports run with this process's V8 flags: `npm run bench:import` passes the same
    // heap flags as `npm start` and bin/keyrelay (package.json), so they measure the app as it is
    // launched. The raw limits run on Node's defaults: plain better-sqlite3 / pg, nothing of ours.
    ...(name.startsWith("raw-") ? [] : process.execArgv),
    ...(args["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${path.join(outDir, "prof", name)}`] : []),
    ...args["node-flags"].split(/\s+/).filter(Boolean),
  ];
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, "phases.ts"), [name, JSON.stringify(o)], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let result: PhaseResult | undefined;
    let error: string | undefined;
    child.on("message", (m: PhaseResult | { error: string }) => {
      if ("error" in m) error = m.error;
      else result = m;
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (result) resolve(result);
      else reject(new Error(error ?? `phase ${name} exited with ${signal ?? code} and no result`));
    });
  });
}

const fmtInt = (n: number | undefined) => (n === undefined ? "-" : Math.round(n).toLocaleString("en-US"));
const fmt = (n: number | undefined, digits = 1) => (n === undefined ? "-" : n.toFixed(digits));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

async function main(): Promise<number> {
  if (process.execArgv.length) console.log(`real-import and profile phases run with this process's flags: ${process.execArgv.join(" ")}`);
  if (args["node-flags"]) console.log(`every phase process also runs with: ${args["node-flags"]}`);
  console.log(`keyrelay import benchmark — Node ${process.version}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.cpus()[0]?.model ?? "?"}`);
  console.log(`load average at the start: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} (the machine should be otherwise idle)`);
  const csv = await ensureCsv(outDir, lines);
  console.log(
    `input: ${path.relative(process.cwd(), csv.file)} — ${fmtInt(csv.lines)} keys + header, ${(csv.bytes / 2 ** 20).toFixed(1)} MiB` +
      (csv.reused ? " (reused)" : ` (generated in ${csv.seconds.toFixed(1)} s)`),
  );
  const o: PhaseOptions = { file: csv.file, lines, pgUrl: args["pg-url"], ciphertextBytes: Number(args["raw-ciphertext-bytes"]), keep: args.keep };

  const results = new Map<string, PhaseResult>();
  const failures: string[] = [];
  const only = args.only?.split(",").map((p) => p.trim());
  const phases = ["real-sqlite", "raw-sqlite", ...(args["skip-postgres"] ? [] : ["real-postgres", "raw-postgres"])].filter((p) => !only || only.includes(p));
  for (const name of phases) {
    for (let i = 1; i <= repeat; i++) {
      process.stdout.write(`running ${name}${repeat > 1 ? ` (${i}/${repeat})` : ""} … `);
      try {
        const r = await runPhase(name, o);
        const best = results.get(name);
        if (!best || (r.keysPerS ?? 0) > (best.keysPerS ?? 0)) results.set(name, r);
        console.log(`${fmt(r.elapsedS, 2)} s, ${fmtInt(r.keysPerS)} keys/s, other processes ${fmt(r.otherCores, 2)} cores${r.ok ? "" : "  WRONG RESULT"}`);
        if (!r.ok) failures.push(`${name}: ${r.problems.join("; ")}`);
      } catch (e) {
        console.log("FAILED");
        failures.push(`${name}: ${(e as Error).message}`);
      }
    }
  }

  const rows: string[][] = [];
  for (const db of ["sqlite", "postgres"]) {
    const real = results.get(`real-${db}`);
    const raw = results.get(`raw-${db}`);
    if (!real && !raw) continue;
    rows.push([
      db === "sqlite" ? "SQLite" : "Postgres",
      fmtInt(real?.lines ?? raw?.lines),
      fmtInt(real?.added),
      fmt(real?.elapsedS, 2),
      fmtInt(real?.keysPerS),
      real?.rss ? `${fmt(real.rss.sampledMiB, 0)} / ${fmt(real.rss.maxRssMiB, 0)}` : "-",
      real?.cpuS !== undefined && real.elapsedS ? fmt(real.cpuS / real.elapsedS, 2) : "-",
      fmtInt(raw?.keysPerS),
      real?.keysPerS && raw?.keysPerS ? fmt(real.keysPerS / raw.keysPerS, 2) : "-",
      db === "postgres" ? `${fmt(real?.postgresCores, 2)} / ${fmt(raw?.postgresCores, 2)}` : "-",
      `${fmt(real?.otherCores, 2)} / ${fmt(raw?.otherCores, 2)}`,
      real ? (real.ok ? "yes" : "NO") : "-",
    ]);
  }
  console.log("");
  console.log(table(["database", "lines", "added", "elapsed s", "keys/s", "peak RSS MiB (sampled / maxRSS)", "CPU cores busy", "raw keys/s", "ratio real/raw", "Postgres server cores real / raw", "other procs' cores real / raw", "result ok"], rows));

  const sqlite = results.get("real-sqlite");
  const rawSqlite = results.get("raw-sqlite");
  if (sqlite?.keysPerS && rawSqlite?.keysPerS && sqlite.rss) {
    const ratio = sqlite.keysPerS / rawSqlite.keysPerS;
    const rss = Math.max(sqlite.rss.maxRssMiB, sqlite.rss.sampledMiB);
    console.log("");
    console.log(`SQLite targets: ratio ≥ ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? "met" : "NOT met"} (${ratio.toFixed(2)}); peak RSS < ${TARGET_RSS_MIB} MiB: ${rss < TARGET_RSS_MIB ? "met" : "NOT met"} (${rss.toFixed(0)} MiB)`);
  }

  const noisy = [...results].filter(([, r]) => (r.otherCores ?? 0) > NOISE_CORES);
  if (noisy.length) {
    console.log("");
    for (const [name, r] of noisy) {
      console.log(`WARNING: other processes used ${fmt(r.otherCores, 2)} cores during ${name}: its numbers (and the ratio) are unreliable; rerun on an idle machine (or --repeat N).`);
    }
  }

  console.log("");
  console.log("notes:");
  console.log("  peak RSS is the whole process, worker threads (the key sealer's) included; each phase runs in its own child process.");
  console.log("  maxRSS = process.resourceUsage().maxRSS (kernel high-water mark since the child started); sampled = memoryUsage().rss every 50 ms.");
  console.log("  CPU cores busy = process CPU time (all threads) / wall time of the import.");
  if (repeat > 1) console.log(`  each phase ran ${repeat} times; the table shows the fastest run of each.`);
  console.log("  Postgres server cores = CPU of the local postgres processes (/proc) per second of the timed section (part of the work).");
  console.log("  other procs' cores = machine-wide busy CPU (/proc/stat) minus the phase's own and Postgres's, per second of the timed");
  console.log(`    section: noise from anything else on the machine; above ${NOISE_CORES} the run is flagged.`);
  console.log(`  load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  for (const [name, r] of results) {
    const extra = [...r.notes];
    if (r.rss) extra.push(`RSS before the timed section ${r.rss.beforeMiB.toFixed(0)} MiB`);
    if (extra.length) console.log(`  ${name}: ${extra.join("; ")}`);
  }

  if (args.profile) {
    process.stdout.write("\nrunning profile … ");
    try {
      const p = await runPhase("profile", o);
      console.log("done\n");
      console.log(
        table(
          ["profile step (SQLite, same file)", "seconds", "keys/s", "note"],
          (p.steps ?? []).map((s) => [s.name, fmt(s.seconds, 2), fmtInt(s.keysPerS), s.note ?? ""]),
        ),
      );
    } catch (e) {
      console.log("FAILED");
      failures.push(`profile: ${(e as Error).message}`);
    }
  }

  if (failures.length) {
    console.log("");
    console.log("FAILURES:");
    for (const f of failures) console.log(`  ${f}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
