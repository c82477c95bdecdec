import type { Mailer } from "../mail/mailer.ts";
import type { MetricsRecorder } from "./metrics-port.ts";

/** Every email keyrelay sends (delivery, low-stock alert, password reset, test) is counted here, sent or failed. */
export function countedMailer(inner: Mailer, metrics: Pick<MetricsRecorder, "emailSent" | "emailFailed">): Mailer {
  return {
    get description() {
      return inner.description;
    },
    async send(mail) {
      try {
        const sent = await inner.send(mail);
        metrics.emailSent();
        return sent;
      } catch (e) {
        metrics.emailFailed();
        throw e;
      }
    },
    close: () => inner.close(),
  };
}
