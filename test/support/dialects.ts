import { postgresAvailable } from "./services-available.ts";
import type { TestDialect } from "./test-services.ts";

/** The same integration suite runs on every dialect listed here. */
export const dialects: { dialect: TestDialect; available: boolean }[] = [
  { dialect: "sqlite", available: true },
  { dialect: "postgres", available: postgresAvailable },
];
