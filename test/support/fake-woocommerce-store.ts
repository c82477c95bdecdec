/**
 * The fake WooCommerce's in-memory data, in REST v3 shapes (what GET returns), with the
 * behaviour the REST layer relies on: one id sequence for posts (products, variations, orders,
 * refunds share wp_posts ids), stock status following stock quantity, `date_modified_gmt` moving
 * on every change, meta updated by key.
 */
export interface FakeMeta {
  id: number;
  key: string;
  value: unknown;
}

export interface FakeProduct {
  id: number;
  name: string;
  type: "simple" | "variable";
  status: string;
  sku: string;
  price: string;
  manage_stock: boolean;
  stock_quantity: number | null;
  stock_status: "instock" | "outofstock" | "onbackorder";
  variations: number[];
  date_modified_gmt: string;
}

export interface FakeVariation {
  id: number;
  parent_id: number;
  sku: string;
  price: string;
  attributes: { id: number; name: string; option: string }[];
  manage_stock: boolean | "parent";
  stock_quantity: number | null;
  stock_status: "instock" | "outofstock" | "onbackorder";
  date_modified_gmt: string;
}

export interface FakeLineItem {
  id: number;
  name: string;
  product_id: number;
  variation_id: number;
  quantity: number;
  subtotal: string;
  total: string;
  sku: string;
  price: number;
  meta_data: FakeMeta[];
}

export interface FakeBilling {
  first_name: string;
  last_name: string;
  email: string;
  [k: string]: string;
}

export interface FakeOrder {
  id: number;
  number: string;
  status: string;
  currency: string;
  total: string;
  customer_note: string;
  billing: FakeBilling;
  line_items: FakeLineItem[];
  meta_data: FakeMeta[];
  refunds: { id: number; reason: string; total: string }[];
  date_created_gmt: string;
  date_modified_gmt: string;
}

export interface FakeNote {
  id: number;
  author: string;
  date_created_gmt: string;
  note: string;
  customer_note: boolean;
}

export interface FakeRefund {
  id: number;
  date_created_gmt: string;
  amount: string;
  reason: string;
  line_items: { id: number; name: string; product_id: number; variation_id: number; quantity: number; total: string; subtotal: string; price: number; meta_data: FakeMeta[] }[];
}

export interface FakeWebhook {
  id: number;
  name: string;
  status: "active" | "paused" | "disabled";
  topic: string;
  resource: string;
  event: string;
  delivery_url: string;
  secret: string;
  api_version: string;
  failure_count: number;
  date_created_gmt: string;
  date_modified_gmt: string;
}

/** WooCommerce's date form: UTC, seconds, no zone. */
export function wcDate(d: Date): string {
  return d.toISOString().slice(0, 19);
}

export function money(n: number, decimals: number): string {
  return n.toFixed(decimals);
}

export function stockStatus(qty: number | null): "instock" | "outofstock" {
  return qty === null || qty > 0 ? "instock" : "outofstock";
}

export function setMeta(list: FakeMeta[], key: string, value: unknown, nextId: () => number): void {
  const existing = list.find((m) => m.key === key);
  if (existing) existing.value = value;
  else list.push({ id: nextId(), key, value });
}

export function orderJson(o: FakeOrder, home: string): Record<string, unknown> {
  return {
    id: o.id,
    parent_id: 0,
    status: o.status,
    currency: o.currency,
    version: "10.3.0",
    prices_include_tax: false,
    date_created: o.date_created_gmt,
    date_created_gmt: o.date_created_gmt,
    date_modified: o.date_modified_gmt,
    date_modified_gmt: o.date_modified_gmt,
    discount_total: "0.00",
    shipping_total: "0.00",
    total: o.total,
    total_tax: "0.00",
    customer_id: 0,
    order_key: `wc_order_${o.id}`,
    billing: { company: "", address_1: "", city: "", country: "", phone: "", ...o.billing },
    shipping: { first_name: "", last_name: "", address_1: "", city: "", country: "" },
    payment_method: "stripe",
    payment_method_title: "Credit card",
    customer_note: o.customer_note,
    number: o.number,
    meta_data: o.meta_data,
    line_items: o.line_items.map((li) => ({ ...li, tax_class: "", subtotal_tax: "0.00", total_tax: "0.00", taxes: [], image: { id: "", src: "" }, parent_name: null })),
    tax_lines: [],
    shipping_lines: [],
    fee_lines: [],
    coupon_lines: [],
    refunds: o.refunds,
    payment_url: `${home}/checkout/order-pay/${o.id}/`,
    currency_symbol: o.currency === "EUR" ? "€" : o.currency === "JPY" ? "¥" : "$",
    _links: { self: [{ href: `${home}/wp-json/wc/v3/orders/${o.id}` }], collection: [{ href: `${home}/wp-json/wc/v3/orders` }] },
  };
}

export function productJson(p: FakeProduct, home: string): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    slug: p.name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    permalink: `${home}/product/${p.id}/`,
    date_modified_gmt: p.date_modified_gmt,
    type: p.type,
    status: p.status,
    sku: p.sku,
    price: p.price,
    regular_price: p.price,
    manage_stock: p.manage_stock,
    stock_quantity: p.stock_quantity,
    stock_status: p.stock_status,
    virtual: true,
    downloadable: false,
    variations: p.variations,
    attributes: [],
    meta_data: [],
  };
}

export function variationJson(v: FakeVariation, home: string): Record<string, unknown> {
  return {
    id: v.id,
    permalink: `${home}/product/${v.parent_id}/?variation=${v.id}`,
    date_modified_gmt: v.date_modified_gmt,
    sku: v.sku,
    price: v.price,
    regular_price: v.price,
    status: "publish",
    manage_stock: v.manage_stock,
    stock_quantity: v.stock_quantity,
    stock_status: v.stock_status,
    attributes: v.attributes,
    meta_data: [],
  };
}

export function webhookJson(w: FakeWebhook, home: string): Record<string, unknown> {
  // The secret is edit-context only: WooCommerce never returns it.
  return {
    id: w.id,
    name: w.name,
    status: w.status,
    topic: w.topic,
    resource: w.resource,
    event: w.event,
    hooks: [`woocommerce_${w.topic.replace(".", "_")}`],
    delivery_url: w.delivery_url,
    date_created: w.date_created_gmt,
    date_created_gmt: w.date_created_gmt,
    date_modified: w.date_modified_gmt,
    date_modified_gmt: w.date_modified_gmt,
    _links: { self: [{ href: `${home}/wp-json/wc/v3/webhooks/${w.id}` }] },
  };
}
