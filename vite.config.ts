import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [reactRouter()],
  // Server-only modules (database drivers, Redis, mail) stay in node_modules at run time.
  ssr: { noExternal: ["@shopify/polaris"] },
  build: { chunkSizeWarningLimit: 2000 },
});
