import { setBatchStatus, staleBatches } from "../db/repositories/key-batches-repo.ts";
import { activateBatchKeys, deleteImportingKeys } from "../db/repositories/keys-repo.ts";
import type { Services } from "../ports.ts";

/**
 * Finishes what a crash interrupted: an import with no progress for `quietForMs` is removed
 * (none of its keys was ever sellable); one that reached `committing` is rolled forward. Either
 * way its batch ends all-or-nothing. Runs at start-up and from the worker's sweep.
 */
export async function recoverImports(s: Pick<Services, "db" | "log">, quietForMs = 10 * 60_000): Promise<{ aborted: number; committed: number }> {
  const stale = await staleBatches(s.db, new Date(Date.now() - quietForMs).toISOString());
  let aborted = 0;
  let committed = 0;
  for (const b of stale) {
    if (b.status === "committing") {
      await activateBatchKeys(s.db, b.id);
      if (await setBatchStatus(s.db, b.id, "committing", "active")) committed += 1;
    } else if (await setBatchStatus(s.db, b.id, "importing", "aborted")) {
      await deleteImportingKeys(s.db, b.id);
      aborted += 1;
    }
  }
  if (aborted || committed) s.log.warn({ aborted, committed }, "recovered imports interrupted by a crash");
  return { aborted, committed };
}
