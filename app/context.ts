import type { Services } from "./.server/ports.ts";

// Routes receive the process's services through the load context (see scripts/start.ts).
declare module "react-router" {
  interface AppLoadContext {
    services: Services;
    /** The client's address as the server saw it (honouring TRUST_PROXY). */
    clientIp: string;
  }
}

export {};
