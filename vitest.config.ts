import { defineConfig } from "vitest/config";

// Three projects: unit tests live beside the code, integration tests talk to real
// SQLite/Postgres/Redis/SMTP, e2e drives the built app in Debian's Chromium.
export default defineConfig({
  test: {
    // The JSON report lets .ci/run print one plain "N passed, N failed" line at the end.
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
    projects: [
      {
        test: {
          name: "unit",
          include: ["app/**/*.test.ts", "connectors/**/*.test.ts", "cli/**/*.test.ts", "db/**/*.test.ts", "extensions/*/src/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          // Load the production server build with Node itself, as `npm start` does, so it shares
          // one react-router with the Shopify library instead of getting a second, transformed copy.
          server: { deps: { external: [/\/build\/server\//] } },
          testTimeout: 30_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
