import { INVENTORY_ITEM_UPDATE_MUTATION } from "./inventory-item-update-mutation.ts";
import { INVENTORY_LEVELS_QUERY } from "./inventory-levels-query.ts";
import { INVENTORY_SET_QUANTITIES_MUTATION } from "./inventory-set-quantities-mutation.ts";
import { LOCATIONS_QUERY } from "./locations-query.ts";
import { ORDER_LINE_ITEMS_QUERY } from "./order-line-items-query.ts";
import { ORDER_NOTE_QUERY } from "./order-note-query.ts";
import { ORDER_QUERY } from "./order-query.ts";
import { ORDER_CANCEL_MUTATION } from "./order-cancel-mutation.ts";
import { ORDER_CARD_QUERY } from "./order-card-query.ts";
import { ORDER_RISK_ASSESSMENT_CREATE_MUTATION } from "./order-risk-assessment-create-mutation.ts";
import { ORDER_RISK_QUERY } from "./order-risk-query.ts";
import { ORDER_RISKS_QUERY } from "./order-risks-query.ts";
import { ORDER_UPDATE_MUTATION } from "./order-update-mutation.ts";
import { ORDERS_QUERY } from "./orders-query.ts";
import { PRIMARY_LOCATION_QUERY } from "./primary-location-query.ts";
import { PRODUCTS_QUERY } from "./products-query.ts";
import { WEBHOOK_SUBSCRIPTIONS_QUERY } from "./webhook-subscriptions-query.ts";

/**
 * Every document the connector sends, by name, with its requested cost in Shopify's points (at
 * its largest variables). The schema test validates each document and checks each cost against
 * the calculation; the client paces a document it has not sent yet by this cost, so even the
 * first call waits for the bucket instead of being THROTTLED.
 */
export const SHOPIFY_DOCUMENTS: Record<string, { source: string; cost: number }> = {
  ORDER_QUERY: { source: ORDER_QUERY, cost: 509 },
  ORDER_LINE_ITEMS_QUERY: { source: ORDER_LINE_ITEMS_QUERY, cost: 503 },
  ORDERS_QUERY: { source: ORDERS_QUERY, cost: 842 },
  ORDER_NOTE_QUERY: { source: ORDER_NOTE_QUERY, cost: 2 },
  ORDER_UPDATE_MUTATION: { source: ORDER_UPDATE_MUTATION, cost: 10 },
  PRODUCTS_QUERY: { source: PRODUCTS_QUERY, cost: 902 },
  WEBHOOK_SUBSCRIPTIONS_QUERY: { source: WEBHOOK_SUBSCRIPTIONS_QUERY, cost: 102 },
  PRIMARY_LOCATION_QUERY: { source: PRIMARY_LOCATION_QUERY, cost: 1 },
  INVENTORY_LEVELS_QUERY: { source: INVENTORY_LEVELS_QUERY, cost: 200 },
  INVENTORY_SET_QUANTITIES_MUTATION: { source: INVENTORY_SET_QUANTITIES_MUTATION, cost: 10 },
  INVENTORY_ITEM_UPDATE_MUTATION: { source: INVENTORY_ITEM_UPDATE_MUTATION, cost: 10 },
  LOCATIONS_QUERY: { source: LOCATIONS_QUERY, cost: 52 },
  ORDER_RISK_QUERY: { source: ORDER_RISK_QUERY, cost: 5 },
  ORDER_RISKS_QUERY: { source: ORDER_RISKS_QUERY, cost: 250 },
  ORDER_CARD_QUERY: { source: ORDER_CARD_QUERY, cost: 21 },
  ORDER_CANCEL_MUTATION: { source: ORDER_CANCEL_MUTATION, cost: 10 },
  ORDER_RISK_ASSESSMENT_CREATE_MUTATION: { source: ORDER_RISK_ASSESSMENT_CREATE_MUTATION, cost: 10 },
};

const costs = new Map(Object.values(SHOPIFY_DOCUMENTS).map((d) => [d.source, d.cost]));

/** The requested cost of one of our documents (undefined for any other text). */
export function documentCost(source: string): number | undefined {
  return costs.get(source);
}
