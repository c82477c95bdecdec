import type { ParseArgsConfig } from "node:util";
import type { Services } from "../app/.server/runtime/services.ts";
import type { Output } from "./output.ts";

export type OptionValues = Record<string, string | boolean | undefined>;

/**
 * A CLI command: its options are checked before any service is built, so a typo never opens,
 * migrates or writes anything.
 */
export interface Command {
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Whether the database is migrated before the command runs (all but `migrate` itself). */
  migrate: boolean;
  /** Checks the parsed options beyond their types; throws UsageError. */
  validate?(values: OptionValues): void;
  run(s: Services, values: OptionValues, out: Output): Promise<void>;
}
