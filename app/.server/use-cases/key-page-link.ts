import { buyerLinkUrl } from "../crypto/buyer-link.ts";
import type { Services } from "../ports.ts";

/**
 * The order's signed key-page URL (`APP_URL/k/<token>`), valid for BUYER_LINK_DAYS from now: what
 * the host order note and the delivery email link to. Each call signs a fresh deadline, so callers
 * that name their content by a hash (the note's reference) hash it without the link.
 */
export function keyPageLink(s: Pick<Services, "config" | "sessionSecret">, orderId: string, now = new Date()): string {
  return buyerLinkUrl({ appUrl: s.config.appUrl, sessionSecret: s.sessionSecret, orderId, days: s.config.buyer.linkDays, now });
}
