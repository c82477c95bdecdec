import { defineConfig } from "vitest/config";

// The fault suite (`npm run test:faults`, docs/fault-suite.md): keyrelay started as real
// processes, faults injected mid-burst, invariants checked after recovery. One scenario at a time.
export default defineConfig({
  test: {
    name: "faults",
    include: ["test/faults/**/*.test.ts"],
    environment: "node",
    reporters: ["default", ["json", { outputFile: "test-results/faults.json" }]],
    testTimeout: 300_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
