import { getJobsStatus } from "../../app/.server/use-cases/get-jobs-status.ts";
import type { Command } from "../command.ts";

export const jobsStatus: Command = {
  options: {},
  needs: "services",
  async run(s, _values, out) {
    const st = await getJobsStatus(s);
    out.say(out.t("cli.jobsHeader", { engine: st.engine }));
    out.say(out.t("cli.jobsColumns"));
    for (const q of st.queues) out.say(`${q.queue} | ${q.pending} | ${q.running} | ${q.done} | ${q.failed}`);
    if (st.oldestPendingRunAt) out.say(out.t("cli.jobsOldest", { at: st.oldestPendingRunAt }));
    if (st.recentFailures.length) {
      out.say(out.t("cli.jobsFailures"));
      for (const f of st.recentFailures) out.say(`  #${f.id} ${f.queue} ×${f.attempts} [${f.kind ?? "?"}] ${f.error ?? ""}`);
    }
    out.result(st);
  },
};
