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

export const PoolInput = z.object({
  name: z.string().trim().min(1, "pool_name").max(200, "pool_name"),
  sku: z.string().trim().max(100, "pool_sku").optional().transform((v) => (v ? v : null)),
  notes: z.string().trim().max(2000, "pool_notes").optional().transform((v) => (v ? v : null)),
  lowStockThreshold: z.coerce.number().int("pool_low_stock").min(0, "pool_low_stock").max(10_000_000, "pool_low_stock").default(0),
  defaultCost: money.optional().transform((v) => v ?? null),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, "pool_currency")
    .optional()
    .transform((v) => v ?? null),
  formatRegex: formatRegex.optional().transform((v) => v ?? null),
  caseInsensitive: z.coerce.boolean().default(false),
  refundPolicy: z.enum(["revoke", "return_if_unseen"], { message: "pool_refund_policy" }).default("revoke"),
  revealOnClick: z.coerce.boolean().default(false),
  deliveryTemplate: z.string().max(20_000, "pool_template").optional().transform((v) => (v ? v : null)),
});

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
