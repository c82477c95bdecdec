import type { MetricsRecorder } from "./metrics-port.ts";

/**
 * The fetch every connector's HTTP client is given (runtime/host-connectors.ts): each request to a
 * host is counted here, in one place, without connectors/ knowing about metrics. A 429 (or, on
 * Shopify, a 200 whose GraphQL errors say THROTTLED) counts as throttled; 4xx/5xx and failures to
 * get an answer count as errors.
 */
export function observedFetch(platform: "shopify" | "woocommerce", metrics: Pick<MetricsRecorder, "hostRequest">, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    let res: Response;
    try {
      res = await inner(input, init);
    } catch (e) {
      const name = (e as { name?: string })?.name;
      metrics.hostRequest(platform, { error: name === "TimeoutError" || name === "AbortError" ? "timeout" : "network" });
      throw e;
    }
    const error = res.status >= 500 ? "http_5xx" : res.status >= 400 ? "http_4xx" : undefined;
    if (platform === "shopify" && res.ok) {
      // Shopify throttles GraphQL with a 200 and a THROTTLED error; the body is read from a copy,
      // so the client reads its own as before.
      void res
        .clone()
        .text()
        .then(
          (text) => metrics.hostRequest(platform, { throttled: text.includes('"THROTTLED"') }),
          () => metrics.hostRequest(platform, { error: "network" }),
        );
    } else metrics.hostRequest(platform, { error, throttled: res.status === 429 });
    return res;
  };
}
