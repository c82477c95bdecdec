import type { ResellerOrderView } from "./reseller-order-view.ts";

/** What POST /api/v1/orders is asked for and answers, live and sandbox alike. */
export interface PlaceOrderInput {
  pool: string;
  quantity: number;
  reference?: string | null;
  allow_backorder?: boolean;
}

export interface PlacedOrder {
  status: number;
  order: ResellerOrderView;
  replayed: boolean;
}
