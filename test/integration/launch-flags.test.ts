import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The processes that import keys run with the same V8 heap flags (small young generation, an
 * old-space ceiling): without them a million-key import peaks near 500 MiB instead of ~210 MiB.
 * They live in each launcher, so this keeps the launchers from drifting apart.
 */
const FLAGS = ["--max-semi-space-size=4", "--max-old-space-size=512"];
const root = path.resolve(import.meta.dirname, "../..");

describe("launcher heap flags", () => {
  it("npm start, start:web, start:worker and bench:import pass them to node", () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    for (const name of ["start", "start:web", "start:worker", "bench:import"]) {
      const argv = scripts[name].split(/\s+/);
      expect(argv[0], name).toBe("node");
      // Node options must come before the script to reach Node at all.
      const script = argv.findIndex((a) => a.endsWith(".ts"));
      expect(argv.slice(1, script), name).toEqual(FLAGS);
    }
  });

  it("bin/keyrelay passes them to node", () => {
    const exec = fs
      .readFileSync(path.join(root, "bin/keyrelay"), "utf8")
      .split("\n")
      .find((l) => l.startsWith("exec "));
    expect(exec).toBe(`exec "$node_bin" ${FLAGS.join(" ")} "$root/cli/main.ts" "$@"`);
  });
});
