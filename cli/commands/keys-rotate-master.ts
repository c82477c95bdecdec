import type { Command } from "../command.ts";
import { generateNewMasterKeyFile } from "../../app/.server/crypto/master-keys.ts";
import { rotateMasterKey } from "../../app/.server/use-cases/rotate-master-key.ts";
import { UsageError } from "../output.ts";
import { progressBar } from "../progress-bar.ts";
import { createServices } from "../../app/.server/runtime/services.ts";
import type { Services } from "../../app/.server/ports.ts";
import { createLogger } from "../../app/.server/logger.ts";

/**
 * Step 1 (`--new-key`, embedded default): a new data/master.key; the old one moves to
 * data/master.previous. Restart every process. Step 2 (no flag): re-seal everything still under a
 * retired key, in batches, resumable. Then the retired key can be removed.
 */
export const keysRotateMaster: Command = {
  options: { "new-key": { type: "boolean", default: false }, batch: { type: "string" }, limit: { type: "string" } },
  needs: "database",
  validate(v) {
    for (const o of ["batch", "limit"] as const) {
      if (v[o] !== undefined && !/^[1-9]\d*$/.test(String(v[o]))) throw new UsageError("badChoice", { option: `--${o}`, choices: "1, 2, 3, …" });
    }
  },
  async run(db, v, out) {
    const config = db.config;
    if (v["new-key"]) {
      if (config.masterKey) throw new UsageError("rotateWithEnv");
      const r = generateNewMasterKeyFile(config.dataDir);
      out.say(out.t("cli.rotateNewKey", { count: r.previousCount }));
      out.result({ generated: true, retiredKeys: r.previousCount });
      return;
    }
    let services: Services | undefined;
    try {
      services = await createServices(config, { log: createLogger({ level: "warn", destination: process.stderr as never }) });
      const bar = progressBar((p) => out.t("cli.rotateProgress", { count: p.added }), !out.json && Boolean(process.stderr.isTTY));
      const r = await rotateMasterKey(services, {
        batchSize: v.batch ? Number(v.batch) : undefined,
        limit: v.limit ? Number(v.limit) : undefined,
        onProgress: (n) => bar.update({ lines: n, added: n }),
      });
      bar.done();
      out.say(out.t(r.remaining ? "cli.rotatePartial" : "cli.rotateDone", { keys: r.keys, other: r.storeSecrets + r.sessions + r.settings, remaining: r.remaining, keyId: r.keyId }));
      out.result(r);
    } finally {
      await services?.close();
    }
  },
};
