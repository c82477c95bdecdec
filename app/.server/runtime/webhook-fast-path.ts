import type { IncomingMessage } from "node:http";
import express, { type Request as ExpressRequest, type Response as ExpressResponse, type Router } from "express";
import type { HeaderReader } from "../../../connectors/host-connector.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { errorResponse } from "../http/responses.ts";
import { WEBHOOK_BODY_LIMIT } from "../http/read-body.ts";
import { answerShopifyWebhook, answerWooCommerceWebhook, rejectionReason } from "../http/webhook-answers.ts";
import type { Services } from "../ports.ts";

/**
 * Webhook deliveries are answered here, ahead of React Router: they need no page, no session and
 * no fetch Request, and under a burst of paid orders the cost of answering one is what decides
 * whether every host gets its 200 in time. The answer is the same function the routes use.
 */
export function webhookFastPath(services: Services): Router {
  const router = express.Router();
  router.post("/webhooks/shopify", (req, res) => void answer(services, "shopify", res, () => readBody(req).then((rawBody) => answerShopifyWebhook(services, { headers: headerReader(req), rawBody }))));
  router.post("/webhooks/woocommerce/:storeId", (req, res) =>
    void answer(services, "woocommerce", res, () => readBody(req).then((rawBody) => answerWooCommerceWebhook(services, String(req.params.storeId), { headers: headerReader(req), rawBody }))),
  );
  return router;
}

async function answer(services: Services, platform: "shopify" | "woocommerce", res: ExpressResponse, run: () => Promise<Response>): Promise<void> {
  let r: Response;
  try {
    r = await run();
  } catch (e) {
    // Only the body's reading throws here (the answers catch their own): an oversized delivery.
    r = errorResponse(e);
    services.metrics.webhookRejected(platform, rejectionReason(e, r.status));
    // The rest of an oversized body is not read: the connection cannot be reused.
    if (r.status === 413) res.setHeader("Connection", "close");
  }
  res.status(r.status);
  r.headers.forEach((v, k) => res.setHeader(k, v));
  res.end(r.body ? Buffer.from(await r.arrayBuffer()) : undefined);
}

function headerReader(req: ExpressRequest): HeaderReader {
  return {
    get(name) {
      const v = req.headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
    },
  };
}

/** The exact bytes of the body, refusing more than the webhook limit without buffering the excess. */
function readBody(req: IncomingMessage, limit = WEBHOOK_BODY_LIMIT): Promise<Buffer> {
  const tooLarge = () => new InvalidInputError("body_too_large", `body over ${limit} bytes`, { params: { limit } });
  if (Number(req.headers["content-length"] ?? "0") > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.pause();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
