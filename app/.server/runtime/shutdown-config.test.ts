import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config.ts";

describe("SHUTDOWN_* configuration", () => {
  it("defaults to a 5 s drain and 15 s for the jobs in hand; 0 is allowed", () => {
    expect(loadConfig({}).shutdown).toEqual({ drainMs: 5_000, jobsMs: 15_000 });
    expect(loadConfig({ SHUTDOWN_DRAIN_SECONDS: "0", SHUTDOWN_JOBS_SECONDS: "0" }).shutdown).toEqual({ drainMs: 0, jobsMs: 0 });
  });

  it("a negative, fractional or huge value names the variable", () => {
    for (const [variable, value] of [
      ["SHUTDOWN_DRAIN_SECONDS", "-1"],
      ["SHUTDOWN_DRAIN_SECONDS", "1.5"],
      ["SHUTDOWN_JOBS_SECONDS", "601"],
      ["SHUTDOWN_JOBS_SECONDS", "soon"],
    ]) {
      let error: unknown;
      try {
        loadConfig({ [variable]: value });
      } catch (e) {
        error = e;
      }
      expect(error, `${variable}=${value}`).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([variable]);
    }
  });
});
