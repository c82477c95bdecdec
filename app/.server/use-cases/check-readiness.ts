import type { Services } from "../runtime/services.ts";

export interface Readiness {
  ready: boolean;
  database: "ok" | "unreachable";
  queue: "ok" | "unreachable";
}

/** Ready means this process can take work: the database answers and the queue engine answers. */
export async function checkReadiness(s: Pick<Services, "database" | "jobs">, timeoutMs = 2_000): Promise<Readiness> {
  const within = (p: Promise<void>) =>
    Promise.race([p.then(() => "ok" as const), new Promise<"unreachable">((r) => setTimeout(() => r("unreachable"), timeoutMs).unref())]).catch(
      () => "unreachable" as const,
    );
  const [database, queue] = await Promise.all([within(s.database.ping()), within(s.jobs.engine.ping())]);
  return { ready: database === "ok" && queue === "ok", database, queue };
}
