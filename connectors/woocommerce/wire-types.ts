/**
 * The parts of WooCommerce REST v3 resources keyrelay reads (orders, refunds, notes, products,
 * variations, webhooks). Everything is optional: plugins and old versions leave fields out.
 */
export interface WcMeta {
  id?: number;
  key: string;
  value: unknown;
}

export interface WcLineItem {
  id: number;
  name?: string;
  product_id?: number;
  variation_id?: number;
  quantity: number;
  /** Unit price after discounts, excluding tax: a float. */
  price?: number | string;
  subtotal?: string;
  total?: string;
  sku?: string | null;
  meta_data?: WcMeta[];
}

export interface WcOrder {
  id: number;
  number?: string;
  status?: string;
  currency?: string;
  total?: string;
  date_created_gmt?: string | null;
  date_modified_gmt?: string | null;
  billing?: { first_name?: string; last_name?: string; email?: string; country?: string };
  customer_ip_address?: string;
  /** 0 for a guest. */
  customer_id?: number;
  line_items?: WcLineItem[];
  refunds?: { id: number; total?: string }[];
  meta_data?: WcMeta[];
}

export interface WcRefund {
  id: number;
  line_items?: WcLineItem[];
}

export interface WcNote {
  id: number;
  note: string;
  customer_note: boolean;
}

export interface WcProduct {
  id: number;
  name: string;
  type?: string;
  sku?: string;
  variations?: number[];
}

export interface WcVariation {
  id: number;
  sku?: string;
  name?: string;
  attributes?: { name?: string; option?: string }[];
}

export interface WcWebhook {
  id: number;
  name?: string;
  status: string;
  topic: string;
  delivery_url: string;
}

export interface WcBatchItem {
  id?: number;
  error?: { code?: string; message?: string; data?: { status?: number } };
}
