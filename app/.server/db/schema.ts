import type { Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * The whole data model, one type for both dialects. Portable column choices:
 * - timestamps are ISO-8601 UTC strings (SQLite text; Postgres timestamptz read back as ISO strings)
 * - flags are 0/1 integers (better-sqlite3 cannot bind booleans)
 * - JSON is text; money is integer minor units + ISO currency
 * - high-volume tables (keys, allocations, jobs, events, audit) use integer ids; entities use UUIDs
 * Every table a merchant owns carries account_id: every query is scoped by it.
 */

export type Timestamp = string;
export type Flag = 0 | 1;

export interface AccountsTable {
  id: string;
  name: string;
  default_locale: string;
  alert_email: string | null;
  mail_from: string | null;
  mail_reply_to: string | null;
  /** Migration 0008 (domain/account-settings.ts): an IANA zone, where the account's days begin and end. */
  time_zone: Generated<string>;
  /** ISO 4217: the currency new pools start with. */
  currency: Generated<string>;
  /** The name on the From line of the account's emails (the address stays MAIL_FROM's). */
  mail_sender_name: string | null;
  /** The low-stock threshold new pools start with. */
  low_stock_threshold: Generated<number>;
  /** Migration 0009: owners must sign in with two-step verification (1) or may choose (0). */
  require_owner_2fa: Generated<Flag>;
  /** Migration 0020: minutes an order waits for the host's risk analysis before the fallback applies. */
  risk_host_wait_minutes: Generated<number>;
  /** Migration 0020: what applies when the host's risk stays unknown: hold for review, or decide without it. */
  risk_host_fallback: Generated<"review" | "allow">;
  /** Migration 0022: sealed audit rows older than this many days are pruned (null: kept forever). */
  audit_retention_days: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AdminUsersTable {
  id: string;
  account_id: string;
  email: string;
  password_hash: string;
  /** domain/roles.ts (migration 0007 turned `staff` into `manager`). */
  role: "owner" | "manager" | "support" | "viewer";
  locale: string | null;
  disabled: Generated<Flag>;
  last_login_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/**
 * A standalone admin's sign-in (migration 0004). `id` is the SHA-256 (hex) of the random session id
 * the cookie carries, never the id itself. Active while not revoked and before expires_at.
 */
export interface AdminSessionsTable {
  id: string;
  admin_user_id: string;
  account_id: string;
  created_at: Timestamp;
  /** Moved forward at most about once a minute, not on every request. */
  last_seen_at: Timestamp;
  /** created_at + SESSION_MAX_AGE_MS: an absolute lifetime, however active the session is. */
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  /** A short device description ("Chrome 142 · Linux"), not the raw User-Agent. */
  user_agent: string | null;
  /** The address the sign-in came from. */
  ip: string | null;
}

/** Shopify's session record (SessionStorage interface of @shopify/shopify-app-session-storage). */
export interface ShopifySessionsTable {
  id: string;
  shop: string;
  state: string;
  is_online: Flag;
  scope: string | null;
  expires: number | null;
  access_token: string | null;
  refresh_token: string | null;
  refresh_token_expires: number | null;
  user_id: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  account_owner: Flag | null;
  locale: string | null;
  collaborator: Flag | null;
  email_verified: Flag | null;
}

export type StorePlatform = "shopify" | "woocommerce";
export type StoreStatus = "active" | "disconnected" | "uninstalled" | "broken";

export interface StoresTable {
  id: string;
  account_id: string;
  platform: StorePlatform;
  /** Shopify: the myshopify domain; WooCommerce: the site URL. */
  domain: string;
  name: string;
  /** Encrypted JSON: WooCommerce consumer key/secret. Shopify tokens live in shopify_sessions. */
  credentials_ciphertext: Buffer | null;
  credentials_key_id: string | null;
  webhook_secret_ciphertext: Buffer | null;
  webhook_secret_key_id: string | null;
  status: StoreStatus;
  settings: string;
  locale: string | null;
  currency: string | null;
  reconcile_cursor: string | null;
  reconciled_at: Timestamp | null;
  /** The last (re)install: a late app/uninstalled from before it is ignored. */
  installed_at: Timestamp | null;
  /** What needs the merchant's attention (credentials revoked, webhooks missing); null when all is well. */
  attention: string | null;
  attention_at: Timestamp | null;
  /** WooCommerce: the id of the webhook keyrelay registered on the store. */
  host_webhook_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PoolsTable {
  id: string;
  account_id: string;
  name: string;
  sku: string | null;
  notes: string | null;
  low_stock_threshold: number;
  default_cost_minor: number | null;
  currency: string | null;
  format_regex: string | null;
  case_insensitive: Flag;
  refund_policy: "revoke" | "return_if_unseen";
  delivery_template: string | null;
  reveal_on_click: Flag;
  /** Buyer email template; null uses the catalog's default. Placeholders: see domain/email-template.ts. */
  email_subject: string | null;
  email_html: string | null;
  email_text: string | null;
  low_stock_alerted_at: Timestamp | null;
  archived_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Migration 0011: the price resellers' discounts start from, in `currency` (insert optional). */
  list_price_minor: Generated<number | null>;
  /** Forecast restock plan (0012): the supplier's lead time and the service level; null = defaults. */
  lead_time_days: Generated<number | null>;
  service_level_pct: Generated<number | null>;
  low_stock_days: Generated<number | null>;
  cover_alerted_at: Generated<Timestamp | null>;
}

export type BatchStatus = "importing" | "committing" | "active" | "aborted";

export interface KeyBatchesTable {
  id: string;
  account_id: string;
  pool_id: string;
  supplier: string | null;
  notes: string | null;
  source_name: string | null;
  cost_minor: number | null;
  currency: string | null;
  expires_at: Timestamp | null;
  key_count: number;
  /** importing → committing → active; aborted when an import fails (its keys are removed). */
  status: BatchStatus;
  /** Last sign of life of the import writing this batch. */
  progress_at: Timestamp | null;
  created_by: string | null;
  voided_at: Timestamp | null;
  created_at: Timestamp;
}

export type KeyState = "importing" | "available" | "allocated" | "delivered" | "revoked" | "returned" | "expired" | "void";

export interface KeysTable {
  id: Generated<number>;
  account_id: string;
  pool_id: string;
  batch_id: string;
  /** AES-256-GCM: nonce ‖ ciphertext ‖ tag of the JSON {code, fields}. */
  ciphertext: Buffer;
  /** Which master key encrypted it, so the master key can rotate. */
  key_id: string;
  /** HMAC-SHA256 of the normalised code: duplicates are found without decrypting. */
  fingerprint: Buffer;
  state: KeyState;
  cost_minor: number | null;
  expires_at: Timestamp | null;
  allocated_at: Timestamp | null;
  delivered_at: Timestamp | null;
  state_changed_at: Timestamp;
  created_at: Timestamp;
}

export interface ProductMappingsTable {
  id: string;
  account_id: string;
  store_id: string;
  pool_id: string;
  product_id: string;
  /** '' maps every variant of the product; a variant's own mapping wins over it. */
  variant_id: string;
  title: string | null;
  units_per_item: number;
  sync_stock: Flag;
  status: "active" | "broken" | "paused";
  last_synced_quantity: number | null;
  last_synced_at: Timestamp | null;
  last_sync_error: string | null;
  /** When stock sync turned on inventory tracking the host had off for this item (shown to the merchant). */
  tracking_enabled_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type OrderStatus = "received" | "allocated" | "partially_allocated" | "held" | "cancelled" | "refunded" | "ignored";
export type RiskDecision = "none" | "hold" | "approved" | "rejected";

export interface OrdersTable {
  id: string;
  account_id: string;
  /** Exactly one of store_id (a host order) and reseller_id (an API purchase). */
  store_id: string | null;
  reseller_id: string | null;
  external_id: string;
  name: string | null;
  email: string | null;
  customer_name: string | null;
  /** The host's customer id; null for a guest checkout (or after a redaction). */
  customer_id: string | null;
  /** Shopify's random confirmation number (the thank-you page names it); null elsewhere, for older orders, after a redaction. */
  confirmation_number: string | null;
  locale: string | null;
  currency: string | null;
  total_minor: number | null;
  financial_status: string | null;
  status: OrderStatus;
  risk_decision: RiskDecision;
  risk_reasons: string | null;
  placed_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Migration 0011: a reseller's own reference for an API order (insert optional). */
  reference: Generated<string | null>;
}

export interface OrderLinesTable {
  id: string;
  account_id: string;
  order_id: string;
  external_line_id: string;
  product_id: string | null;
  variant_id: string | null;
  title: string | null;
  quantity: number;
  refunded_quantity: number;
  unit_price_minor: number | null;
  mapping_id: string | null;
  pool_id: string | null;
  units_per_item: number;
  created_at: Timestamp;
}

export type AllocationStatus = "allocated" | "backordered" | "revoked" | "returned" | "dropped";

export interface AllocationsTable {
  id: Generated<number>;
  account_id: string;
  order_line_id: string;
  /** 0-based unit within the line (quantity × units per item). Unique with the line: a re-run is a no-op. */
  unit_index: number;
  pool_id: string;
  key_id: number | null;
  status: AllocationStatus;
  created_at: Timestamp;
  fulfilled_at: Timestamp | null;
}

export type WebhookEventStatus = "received" | "processed" | "ignored" | "failed";

export interface WebhookEventsTable {
  id: Generated<number>;
  account_id: string | null;
  store_id: string | null;
  platform: StorePlatform;
  topic: string;
  /** The host's delivery identity (X-Shopify-Event-Id, X-WC-Webhook-Delivery-ID). */
  delivery_id: string | null;
  /** Unique: the host's identity, or (store, order, topic, payload hash) where ids can repeat. */
  dedupe_key: string;
  payload_hash: string;
  payload: string;
  status: WebhookEventStatus;
  error: string | null;
  /** When the host says the event happened (X-Shopify-Triggered-At), if it says. */
  triggered_at: Timestamp | null;
  received_at: Timestamp;
  processed_at: Timestamp | null;
}

export type JobStatus = "pending" | "running" | "done" | "failed";

export interface JobsTable {
  id: Generated<number>;
  queue: string;
  /** The merchant the work is for, when it is for one (dashboard counts are per account). */
  account_id: string | null;
  /** JSON; never key plaintext — ids only. */
  payload: string;
  dedupe_key: string | null;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: Timestamp;
  locked_at: Timestamp | null;
  locked_by: string | null;
  last_error: string | null;
  error_kind: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
}

export type DeliveryChannel = "note" | "metafield" | "email" | "buyer_page" | "extension";

export interface DeliveriesTable {
  id: Generated<number>;
  account_id: string;
  order_id: string;
  channel: DeliveryChannel;
  status: "pending" | "sent" | "failed" | "skipped";
  attempts: number;
  last_error: string | null;
  sent_at: Timestamp | null;
  first_viewed_at: Timestamp | null;
  view_count: number;
  /** The reference of the content this channel last delivered (see DeliveryWrite.reference). */
  reference: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ResellersTable {
  id: string;
  account_id: string;
  name: string;
  email: string | null;
  status: "active" | "suspended";
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Migration 0011: the reseller's currency (its prices and ledger are in it). */
  currency: string;
  credit_limit_minor: number;
  /** The sum of the reseller's ledger, written with every entry in the same transaction. */
  balance_minor: number;
  max_units_per_order: number | null;
  max_units_per_day: number | null;
  /** Per token; null is the installation's default. */
  rate_per_second: number | null;
  rate_burst: number | null;
  /** Below this balance a balance.low webhook is sent, once per dip (0016); null = never. */
  low_balance_minor: Generated<number | null>;
}

export interface ResellerTokensTable {
  id: string;
  account_id: string;
  reseller_id: string;
  /** SHA-256 of the token; the token itself is shown once. */
  token_hash: Buffer;
  scopes: string;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: Timestamp;
  /** Migration 0011: `kr_live_<lookup>` — shown in lists, finds the row (unique). */
  prefix: string | null;
  mode: "live" | "test";
  name: string | null;
  expires_at: Timestamp | null;
  /** JSON array of addresses / CIDR ranges; null allows any. */
  ip_allow: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  account_id: string;
  actor_type: "admin" | "shopify_staff" | "cli" | "system" | "reseller";
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  details: string | null;
  ip: string | null;
  created_at: Timestamp;
}

/** Migration 0014: one entry per sealed audit row, in seal order (id), hashed onto the previous entry of its account. */
export interface AuditChainTable {
  id: Generated<number>;
  audit_id: number;
  account_id: string;
  prev_hash: string;
  row_hash: string;
}

/** Migration 0014: each account's chain head (the last hash the sealer wrote). */
export interface AuditSealsTable {
  account_id: string;
  last_hash: string;
  sealed_rows: number;
  sealed_at: Timestamp;
}

/** Migration 0022: where an account's retained audit chain starts after pruning. */
export interface AuditAnchorsTable {
  account_id: string;
  /** The chain position (audit_chain.id) of the last pruned row. */
  last_seq: number;
  /** The last pruned row's hash: the first retained row's prev_hash. */
  last_hash: string;
  /** How many rows were pruned in all. */
  pruned_rows: number;
  pruned_at: Timestamp;
}

export interface ComplianceRequestsTable {
  id: Generated<number>;
  account_id: string;
  store_id: string | null;
  kind: "customers/data_request" | "customers/redact" | "shop/redact";
  customer_email: string | null;
  customer_id: string | null;
  /** JSON array of the host order ids named in the request. */
  order_ids: string;
  /** JSON: what keyrelay held (data_request) or erased (redact). */
  summary: string;
  webhook_event_id: number | null;
  created_at: Timestamp;
}

/** Installation-wide facts: the sealed fingerprint key, the master key check. */
export interface SystemSettingsTable {
  name: string;
  value: Buffer;
  /** The master key that sealed `value`, when it is sealed. */
  key_id: string | null;
  updated_at: Timestamp;
}

/** A one-time code that links a store to this account; only its SHA-256 is stored (`id`). */
export interface LinkCodesTable {
  id: string;
  account_id: string;
  created_by_type: AuditLogTable["actor_type"];
  created_by_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  used_by_store_id: string | null;
}

/** An email invited to an account with a role (migration 0007); only the token's SHA-256 is stored. */
export interface TeamInvitationsTable {
  id: string;
  account_id: string;
  email: string;
  role: AdminUsersTable["role"];
  token_hash: string;
  /** The language the invitation email was written in (the accept page starts in it). */
  locale: string | null;
  invited_by_type: AuditLogTable["actor_type"];
  invited_by_id: string | null;
  created_at: Timestamp;
  /** The last time the email went out (resend moves it, with a new token and expiry). */
  sent_at: Timestamp;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  accepted_user_id: string | null;
  revoked_at: Timestamp | null;
}

/** A Shopify staff member's role in the embedded admin (migration 0007): the session token's `sub` per account and shop. */
export interface ShopifyStaffRolesTable {
  account_id: string;
  shop: string;
  shopify_user_id: string;
  role: AdminUsersTable["role"];
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  updated_at: Timestamp;
}

/** An admin's TOTP secret (migration 0009), sealed with the master key, bound to the user id. Pending while enabled_at is null. */
export interface AdminTwoFactorTable {
  admin_user_id: string;
  account_id: string;
  secret_ciphertext: Buffer;
  secret_key_id: string;
  enabled_at: Timestamp | null;
  /** The last TOTP time step a code was accepted for: a code works once. */
  last_step: number | string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A recovery code's SHA-256 (migration 0009); used once. */
export interface AdminRecoveryCodesTable {
  code_hash: string;
  admin_user_id: string;
  created_at: Timestamp;
  used_at: Timestamp | null;
}

/** The pending second step of a sign-in (migration 0009): id is the SHA-256 of the id the browser holds. */
export interface AdminLoginChallengesTable {
  id: string;
  admin_user_id: string;
  account_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  failures: Generated<number>;
  used_at: Timestamp | null;
}

/** A password reset link (migration 0009): only the token's SHA-256; 1 hour, single use. */
export interface PasswordResetsTable {
  id: string;
  admin_user_id: string;
  account_id: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  ip: string | null;
}

/** An account's current risk rule-set version (migration 0010). */
export interface RiskRuleSetsTable {
  account_id: string;
  version: number;
  updated_at: Timestamp;
}

/** A risk rule, live in versions [version_from, version_to) (migration 0010). */
export interface RiskRulesTable {
  id: string;
  account_id: string;
  position: number;
  name: string;
  /** The condition as written; parsed by domain/risk-condition.ts. */
  condition: string;
  action: "allow" | "block" | "review";
  shadow: number;
  version_from: number;
  version_to: number | null;
  created_at: Timestamp;
}

export interface RiskListEntriesTable {
  id: string;
  account_id: string;
  kind: "email" | "domain" | "ip" | "country" | "customer" | "card";
  value: string;
  action: "allow" | "block";
  expires_at: Timestamp | null;
  note: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A pool a reseller may buy, at its own price or a discount from the pool's list price (migration 0011). */
export interface ResellerPricesTable {
  account_id: string;
  reseller_id: string;
  pool_id: string;
  price_minor: number | null;
  /** Basis points off pools.list_price_minor (1500 = 15 %). */
  discount_bps: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One row per decided order: the velocity counters' source, indexed per subject and time. */
export interface RiskVelocityTable {
  order_id: string;
  account_id: string;
  store_id: string | null;
  email: string | null;
  ip: string | null;
  customer_id: string | null;
  ip_country: string | null;
  billing_country: string | null;
  keys: number;
  money_minor: number | string | null;
  currency: string | null;
  /** `BIN…LAST4` of the card paid with, where the host shows it (migration 0025). */
  card: string | null;
  card_brand: string | null;
  at: Timestamp;
}

/** waiting: held until the host's risk analysis is read (check-host-risk job), then decided. */
export type RiskReviewStatus = "none" | "waiting" | "held" | "approved" | "denied" | "blocked";

export interface RiskDecisionsTable {
  order_id: string;
  account_id: string;
  rule_set_version: number;
  action: "allow" | "block" | "review";
  decided_by_rule_id: string | null;
  /** JSON: MatchedRule[]. */
  matched: string;
  /** JSON: the facts the rules read (no key material). */
  facts: string;
  review_status: RiskReviewStatus;
  reviewed_by_type: string | null;
  reviewed_by_id: string | null;
  reviewed_at: Timestamp | null;
  review_reason: string | null;
  created_at: Timestamp;
  /**
   * Migration 0020: keyrelay's verdict on the host order (orderRiskAssessmentCreate): written, or
   * skipped (why in host_assessment_error); with_delivery: due with the order's write-back
   * (deliver-order writes it and records the outcome here).
   */
  host_assessment: "written" | "skipped" | "with_delivery" | null;
  host_assessment_error: string | null;
}

/** A payment dispute on an order (migration 0020): what it revoked; the block-the-buyer offer stands until offer_closed_at. */
export interface RiskDisputesTable {
  id: string;
  account_id: string;
  order_id: string;
  external_dispute_id: string;
  kind: "chargeback" | "inquiry";
  reason: string | null;
  revoked: number;
  returned: number;
  created_at: Timestamp;
  offer_closed_at: Timestamp | null;
}

/** One append-only entry of a reseller's balance (migration 0011). */
export interface ResellerLedgerTable {
  id: Generated<number>;
  account_id: string;
  reseller_id: string;
  kind: "topup" | "debit" | "credit" | "adjustment";
  amount_minor: number;
  balance_after_minor: number;
  currency: string;
  order_id: string | null;
  reason: string | null;
  actor_type: AuditLogTable["actor_type"];
  actor_id: string | null;
  created_at: Timestamp;
}

/** A reseller's Idempotency-Key and the first answer given for it (migration 0011); never key plaintext. */
export interface ResellerIdempotencyKeysTable {
  reseller_id: string;
  idempotency_key: string;
  account_id: string;
  fingerprint: string;
  state: "in_flight" | "done";
  response_status: number | null;
  response_body: string | null;
  order_id: string | null;
  created_at: Timestamp;
  locked_at: Timestamp;
}

/** A sandbox (kr_test_) order, migration 0023: never in `orders`; `codes` is a JSON array of fake TEST- codes. */
export interface ResellerSandboxOrdersTable {
  id: string;
  account_id: string;
  reseller_id: string;
  pool_id: string;
  pool_name: string;
  quantity: number;
  unit_price_minor: number;
  total_minor: number;
  currency: string;
  reference: string | null;
  codes: string;
  created_at: Timestamp;
}

/** One backup create / verify / restore (migration 0013); `error_params` is JSON, never a secret. */
export interface BackupRunsTable {
  id: Generated<number>;
  kind: "create" | "verify" | "restore";
  trigger: "cli" | "schedule";
  ok: Flag;
  file: string | null;
  bytes: number | null;
  keys: number | null;
  duration_ms: number;
  error_code: string | null;
  error_params: string | null;
  started_at: Timestamp;
  finished_at: Timestamp;
}

/** A running keyrelay process (migration 0013): its heartbeat, so a restore can refuse to run under it. */
export interface AppProcessesTable {
  id: string;
  role: string;
  host: string;
  pid: number;
  started_at: Timestamp;
  seen_at: Timestamp;
}

export interface Database {
  system_settings: SystemSettingsTable;
  accounts: AccountsTable;
  admin_users: AdminUsersTable;
  admin_sessions: AdminSessionsTable;
  shopify_sessions: ShopifySessionsTable;
  stores: StoresTable;
  pools: PoolsTable;
  key_batches: KeyBatchesTable;
  keys: KeysTable;
  product_mappings: ProductMappingsTable;
  orders: OrdersTable;
  order_lines: OrderLinesTable;
  allocations: AllocationsTable;
  webhook_events: WebhookEventsTable;
  jobs: JobsTable;
  deliveries: DeliveriesTable;
  resellers: ResellersTable;
  reseller_tokens: ResellerTokensTable;
  audit_log: AuditLogTable;
  compliance_requests: ComplianceRequestsTable;
  link_codes: LinkCodesTable;
  team_invitations: TeamInvitationsTable;
  shopify_staff_roles: ShopifyStaffRolesTable;
  admin_two_factor: AdminTwoFactorTable;
  admin_recovery_codes: AdminRecoveryCodesTable;
  admin_login_challenges: AdminLoginChallengesTable;
  password_resets: PasswordResetsTable;
  risk_rule_sets: RiskRuleSetsTable;
  risk_rules: RiskRulesTable;
  risk_list_entries: RiskListEntriesTable;
  risk_velocity: RiskVelocityTable;
  risk_decisions: RiskDecisionsTable;
  risk_disputes: RiskDisputesTable;
  reseller_prices: ResellerPricesTable;
  reseller_ledger: ResellerLedgerTable;
  reseller_idempotency_keys: ResellerIdempotencyKeysTable;
  reseller_sandbox_orders: ResellerSandboxOrdersTable;
  backup_runs: BackupRunsTable;
  audit_chain: AuditChainTable;
  audit_seals: AuditSealsTable;
  audit_anchors: AuditAnchorsTable;
  app_processes: AppProcessesTable;
  report_dirty_orders: ReportDirtyOrdersTable;
  report_order_facts: ReportOrderFactsTable;
  report_daily: ReportDailyTable;
  report_daily_pool: ReportDailyPoolTable;
  report_buyer_purchases: ReportBuyerPurchasesTable;
  report_repurchase_days: ReportRepurchaseDaysTable;
  report_buyer_totals: ReportBuyerTotalsTable;
  report_monthly: ReportMonthlyTable;
  report_delivery_daily: ReportDeliveryDailyTable;
  report_order_products: ReportOrderProductsTable;
  report_product_daily: ReportProductDailyTable;
  report_product_monthly: ReportProductMonthlyTable;
  reseller_webhook_endpoints: ResellerWebhookEndpointsTable;
  reseller_webhook_deliveries: ResellerWebhookDeliveriesTable;
  reseller_users: ResellerUsersTable;
  reseller_invitations: ResellerInvitationsTable;
  reseller_sessions: ResellerSessionsTable;
}

export type Account = Selectable<AccountsTable>;
export type AdminUser = Selectable<AdminUsersTable>;
export type AdminSession = Selectable<AdminSessionsTable>;
export type TeamInvitation = Selectable<TeamInvitationsTable>;
export type ShopifyStaffRole = Selectable<ShopifyStaffRolesTable>;
export type AdminTwoFactor = Selectable<AdminTwoFactorTable>;
export type PasswordReset = Selectable<PasswordResetsTable>;
export type Store = Selectable<StoresTable>;
export type Pool = Selectable<PoolsTable>;
export type KeyBatch = Selectable<KeyBatchesTable>;
export type NewPool = Insertable<PoolsTable>;
export type PoolUpdate = Updateable<PoolsTable>;
export type Order = Selectable<OrdersTable>;
export type Job = Selectable<JobsTable>;
export type OrderLine = Selectable<OrderLinesTable>;
export type Allocation = Selectable<AllocationsTable>;
export type ProductMapping = Selectable<ProductMappingsTable>;
export type Delivery = Selectable<DeliveriesTable>;
export type WebhookEvent = Selectable<WebhookEventsTable>;
export type Reseller = Selectable<ResellersTable>;
export type ResellerToken = Selectable<ResellerTokensTable>;
export type ResellerLedgerEntry = Selectable<ResellerLedgerTable>;

/** Report measures (0012): summable counts and minor-unit amounts, the same in facts and rollups. */
export interface ReportMeasureColumns {
  orders_total: number;
  orders_with_pool: number;
  units: number;
  revenue_minor: number;
  unpriced_units: number;
  delivered_units: number;
  cost_minor: number;
  cost_unknown_units: number;
  refunded_units: number;
  refunded_minor: number;
  revoked_units: number;
  returned_units: number;
  backordered_units: number;
  /** Units that waited for stock (backordered at any time), those since filled, and their summed wait. */
  backorders_opened: number;
  backorders_filled: number;
  backorder_wait_s: number;
}

/** Orders whose report facts must be recomputed (filled by triggers; see 0012-reports). */
export interface ReportDirtyOrdersTable {
  order_id: string;
  version: number;
}

/** What the rollups hold for one order, per pool and key batch ('' = units without a key). */
export interface ReportOrderFactsTable extends ReportMeasureColumns {
  order_id: string;
  pool_id: string;
  batch_id: string;
  account_id: string;
  day: string;
  store_id: string;
  platform: string;
  channel: string;
  currency: string;
  buyer: string | null;
  placed_at: Timestamp;
  delivery_s: number | null;
}

/** Daily sums per account, local day, pool, batch, store, platform, channel and currency. */
export interface ReportDailyTable extends ReportMeasureColumns {
  account_id: string;
  day: string;
  pool_id: string;
  batch_id: string;
  store_id: string;
  platform: string;
  channel: string;
  currency: string;
}

/** Daily sums per account, local day, pool and currency (a coarser copy of report_daily). */
export interface ReportDailyPoolTable extends ReportMeasureColumns {
  account_id: string;
  day: string;
  pool_id: string;
  currency: string;
}

/** What one order adds to the product report, per host product and variant ('' = not named) (0021). */
export interface ReportOrderProductsTable extends ReportProductMeasures {
  order_id: string;
  product_id: string;
  variant_id: string;
  account_id: string;
  day: string;
  store_id: string;
  currency: string;
}

export interface ReportProductMeasures {
  title: string | null;
  orders: number;
  units: number;
  revenue_minor: number;
}

/** The product rows summed per local day, store, product, variant and currency (0021). */
export interface ReportProductDailyTable extends ReportProductMeasures {
  account_id: string;
  day: string;
  store_id: string;
  product_id: string;
  variant_id: string;
  currency: string;
}

/** The same per local calendar month, 'YYYY-MM' (0021). */
export interface ReportProductMonthlyTable extends ReportProductMeasures {
  account_id: string;
  month: string;
  store_id: string;
  product_id: string;
  variant_id: string;
  currency: string;
}

/** Fully delivered orders per local day by seconds from payment to the last key (0021). */
export interface ReportDeliveryDailyTable {
  account_id: string;
  day: string;
  seconds: number;
  orders: number;
}

/** report_daily summed per local calendar month, 'YYYY-MM' (0021). */
export interface ReportMonthlyTable extends ReportMeasureColumns {
  account_id: string;
  month: string;
  pool_id: string;
  batch_id: string;
  store_id: string;
  platform: string;
  channel: string;
  currency: string;
}

/** One buyer's order as a whole (pool_id '') and per pool, with the days of the two orders before it (0021). */
export interface ReportBuyerPurchasesTable {
  account_id: string;
  buyer: string;
  pool_id: string;
  order_id: string;
  day: string;
  placed_at: Timestamp;
  units: number;
  prev_day: string | null;
  prev2_day: string | null;
  gap_days: number | null;
  cum_units: number;
  cum_before_prev: number;
}

/** Per pool ('' = whole orders) and day: buyer rows on it, and rows whose previous / second-previous purchase is on it (0024). */
export interface ReportRepurchaseDaysTable {
  account_id: string;
  pool_id: string;
  day: string;
  purchases: number;
  prev_on: number;
  prev2_on: number;
}

/** Each buyer's number of orders (0024), for the top repeat buyers of long ranges. */
export interface ReportBuyerTotalsTable {
  account_id: string;
  buyer: string;
  orders: number;
}

/** A reseller's webhook endpoint (0016): its URL, the events it wants, its sealed signing secret. */
export interface ResellerWebhookEndpointsTable {
  id: string;
  account_id: string;
  reseller_id: string;
  url: string;
  /** Comma-separated event types. */
  events: string;
  secret_ciphertext: Buffer;
  secret_key_id: string;
  created_at: Timestamp;
  deleted_at: Timestamp | null;
}

/** One event sent (or being sent) to one endpoint. */
export interface ResellerWebhookDeliveriesTable {
  id: Generated<number>;
  account_id: string;
  reseller_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: "pending" | "delivered" | "failed";
  attempts: Generated<number>;
  last_status: number | null;
  last_error: string | null;
  created_at: Timestamp;
  last_attempt_at: Timestamp | null;
  delivered_at: Timestamp | null;
}

/** A reseller's own login to the portal (migration 0018); never an admin login. */
export interface ResellerUsersTable {
  id: string;
  account_id: string;
  reseller_id: string;
  email: string;
  password_hash: string;
  locale: string | null;
  disabled: Generated<Flag>;
  last_login_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The merchant's invitation of an email to a reseller's portal (0018): only the token's SHA-256. */
export interface ResellerInvitationsTable {
  id: string;
  account_id: string;
  reseller_id: string;
  email: string;
  token_hash: string;
  locale: string | null;
  invited_by_type: AuditLogTable["actor_type"];
  invited_by_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  accepted_user_id: string | null;
  revoked_at: Timestamp | null;
}

/** A signed-in portal browser (0018), keyed by the SHA-256 of the cookie's random id, as admin_sessions. */
export interface ResellerSessionsTable {
  id: string;
  reseller_user_id: string;
  reseller_id: string;
  account_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  user_agent: string | null;
  ip: string | null;
}

export type ResellerUser = Selectable<ResellerUsersTable>;
export type ResellerInvitation = Selectable<ResellerInvitationsTable>;
export type ResellerSession = Selectable<ResellerSessionsTable>;
