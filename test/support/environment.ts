import { loadConfig } from "../../app/.server/config.ts";

/**
 * Where the integration suite finds Postgres and Redis. With CI=true an unreachable service
 * fails the suite; on a laptop without them those tests are skipped with a loud message.
 */
export const testEnv = loadConfig().test;
