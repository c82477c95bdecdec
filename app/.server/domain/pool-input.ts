import { z } from "zod";

/**
 * What a merchant may set on a pool, checked once for the UI, the CLI and the API. Messages are
 * catalog codes (errors.pool_<field>), not sentences.
 */
const money = z
  .union([z.number(), z.string()])
  .transform((v) => (typeof v === "number" ? String(v) : v.trim()))
  .refine((v) => v === "" || /^\d{1,12}(\.\d{1,4})?$/.test(v), "pool_cost")
  .transform((v) => (v === "" ? null : v));

export const MAX_FORMAT_LENGTH = 300;

const formatRegex = z
  .string()
  .trim()
  .max(MAX_FORMAT_LENGTH, "pool_format")
  .refine((v) => {
    if (v === "") return true;
    try {
      new RegExp(v, "u");
      return true;
    } catch {
      return false;
    }
  }, "pool_format")
  .transform((v) => (v === "" ? null : v));

/** A form checkbox or a CLI/JSON boolean: "on", "true", "1" are true; "", "false", "0", "off" false. */
const flag = z.union([z.boolean(), z.string(), z.number()]).transform((v, ctx) => {
  if (typeof v === "boolean") return v;
  const t = String(v).trim().toLowerCase();
  if (["on", "true", "1", "yes"].includes(t)) return true;
  if (["", "off", "false", "0", "no"].includes(t)) return false;
  ctx.addIssue({ code: "custom", message: "invalid_input" });
  return z.NEVER;
});

/** The fields, without defaults: a partial edit must change only what it names. */
const poolFields = {
  name: z.string().trim().min(1, "pool_name").max(200, "pool_name"),
  sku: z.string().trim().max(100, "pool_sku").transform((v) => (v ? v : null)),
  notes: z.string().trim().max(2000, "pool_notes").transform((v) => (v ? v : null)),
  lowStockThreshold: z.coerce.number().int("pool_low_stock").min(0, "pool_low_stock").max(10_000_000, "pool_low_stock"),
  defaultCost: money,
  // An empty currency clears it.
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .refine((v) => v === "" || /^[A-Z]{3}$/.test(v), "pool_currency")
    .transform((v) => (v === "" ? null : v)),
  formatRegex,
  caseInsensitive: flag,
  refundPolicy: z.enum(["revoke", "return_if_unseen"], { message: "pool_refund_policy" }),
  revealOnClick: flag,
  deliveryTemplate: z.string().max(20_000, "pool_template").transform((v) => (v ? v : null)),
};

/** Creating a pool: everything but the name has a default. */
export const PoolInput = z.object({
  ...poolFields,
  sku: poolFields.sku.optional().transform((v) => v ?? null),
  notes: poolFields.notes.optional().transform((v) => v ?? null),
  lowStockThreshold: poolFields.lowStockThreshold.default(0),
  defaultCost: poolFields.defaultCost.optional().transform((v) => v ?? null),
  currency: poolFields.currency.optional().transform((v) => v ?? null),
  formatRegex: poolFields.formatRegex.optional().transform((v) => v ?? null),
  caseInsensitive: poolFields.caseInsensitive.default(false),
  refundPolicy: poolFields.refundPolicy.default("revoke"),
  revealOnClick: poolFields.revealOnClick.default(false),
  deliveryTemplate: poolFields.deliveryTemplate.optional().transform((v) => v ?? null),
});

/** Editing a pool: only the fields given change; no defaults fill in the rest. */
export const PoolPatch = z.object(poolFields).partial();

export type PoolInputValues = z.infer<typeof PoolInput>;

/** Converts a decimal amount to minor units for a currency with `digits` decimals (2 unless told). */
export function toMinorUnits(decimal: string, digits = 2): number {
  const [whole, frac = ""] = decimal.split(".");
  if (frac.length > digits) throw new RangeError("too many decimals");
  return Number(whole) * 10 ** digits + Number(frac.padEnd(digits, "0") || "0");
}

/** Compiles a pool's stored format check (validated on save). */
export function compileFormat(pattern: string | null): RegExp | null {
  return pattern ? new RegExp(pattern, "u") : null;
}
