import { describe } from "vitest";
import { harness, limiterScenarios } from "../../../test/support/login-limiter-scenarios.ts";
import { memoryAttemptStore } from "./login-attempt-store.ts";

// The same scenarios run against Redis in test/integration/login-limiter-redis.test.ts.
describe("login limiter (memory)", () => {
  const h = harness(memoryAttemptStore);
  limiterScenarios(() => h.make());
});
