import type { ParseArgsConfig } from "node:util";
import type { Services } from "../app/.server/ports.ts";
import type { Output } from "./output.ts";

export type OptionValues = Record<string, string | boolean | undefined>;

/**
 * A CLI command: its options are checked before any service is built, so a typo never opens,
 * migrates or writes anything.
 */
export interface Command {
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Positional arguments, passed as values._0, values._1, …: `count` at most, `min` (default: all of them) required. */
  positionals?: { count: number; min?: number; name: string };
  /**
   * "services": the full set (migrations applied, key material loaded) — most commands.
   * "database": only the database handle — `migrate` itself, which must work on an old schema.
   * "config": nothing opened — `backup`, which opens exactly what it copies, verifies or replaces.
   */
  needs: "services" | "database" | "config";
  /** Checks the parsed options beyond their types; throws UsageError. */
  validate?(values: OptionValues): void;
  /** A returned number is the exit code (a verify that found problems: 1, its report already printed). */
  run(s: Services, values: OptionValues, out: Output): Promise<void | number>;
}

/** What a "database" command gets: the handle and the config, nothing that needs the schema. */
export type DatabaseOnly = Pick<Services, "db" | "database" | "config">;
