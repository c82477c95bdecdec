import riskEn from "./locales/features/risk.en.json" with { type: "json" };
import riskZhCN from "./locales/features/risk.zh-CN.json" with { type: "json" };
/**
 * Feature catalogs: a feature (risk, resellers, reports, operations…) keeps its texts in
 * features/<feature>.<locale>.json instead of growing the two core catalogs, so features built
 * side by side never edit the same file. Each feature adds one line per locale here; the merged
 * catalog is what i18next sees, and a key defined twice is an error at load (and in the test).
 */
type Catalog = Record<string, unknown>;

import resellersEn from "./locales/features/resellers.en.json" with { type: "json" };
import resellersZhCN from "./locales/features/resellers.zh-CN.json" with { type: "json" };
import backupsEn from "./locales/features/backups.en.json" with { type: "json" };
import backupsZhCN from "./locales/features/backups.zh-CN.json" with { type: "json" };

import reportsEn from "./locales/features/reports.en.json" with { type: "json" };
import reportsZhCN from "./locales/features/reports.zh-CN.json" with { type: "json" };
import auditEn from "./locales/features/audit.en.json" with { type: "json" };
import auditZhCN from "./locales/features/audit.zh-CN.json" with { type: "json" };
import portalEn from "./locales/features/portal.en.json" with { type: "json" };
import portalZhCN from "./locales/features/portal.zh-CN.json" with { type: "json" };
import hostRiskEn from "./locales/features/host-risk.en.json" with { type: "json" };
import hostRiskZhCN from "./locales/features/host-risk.zh-CN.json" with { type: "json" };
import auditRetentionEn from "./locales/features/audit-retention.en.json" with { type: "json" };
import auditRetentionZhCN from "./locales/features/audit-retention.zh-CN.json" with { type: "json" };
import resellerRefundDocsEn from "./locales/features/reseller-refund-docs.en.json" with { type: "json" };
import resellerRefundDocsZhCN from "./locales/features/reseller-refund-docs.zh-CN.json" with { type: "json" };
import resellerSandboxEn from "./locales/features/reseller-sandbox.en.json" with { type: "json" };
import resellerSandboxZhCN from "./locales/features/reseller-sandbox.zh-CN.json" with { type: "json" };
import riskCardEn from "./locales/features/risk-card.en.json" with { type: "json" };
import riskCardZhCN from "./locales/features/risk-card.zh-CN.json" with { type: "json" };
import riskResellerEn from "./locales/features/risk-reseller.en.json" with { type: "json" };
import riskResellerZhCN from "./locales/features/risk-reseller.zh-CN.json" with { type: "json" };

export const featureCatalogs: { en: Catalog[]; "zh-CN": Catalog[] } = {
  en: [riskEn, resellersEn, backupsEn, reportsEn, auditEn, portalEn, hostRiskEn, auditRetentionEn, resellerRefundDocsEn, resellerSandboxEn, riskCardEn, riskResellerEn],
  "zh-CN": [riskZhCN, resellersZhCN, backupsZhCN, reportsZhCN, auditZhCN, portalZhCN, hostRiskZhCN, auditRetentionZhCN, resellerRefundDocsZhCN, resellerSandboxZhCN, riskCardZhCN, riskResellerZhCN],
};

/** Deep-merges catalogs; throws naming the first key two of them define. */
export function mergeCatalogs(base: Catalog, extra: readonly Catalog[]): Catalog {
  const out = structuredClone(base);
  for (const cat of extra) mergeInto(out, cat, "");
  return out;
}

function mergeInto(target: Catalog, source: Catalog, prefix: string): void {
  for (const [k, v] of Object.entries(source)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const existing = target[k];
    if (existing === undefined) {
      target[k] = structuredClone(v);
    } else if (isObject(existing) && isObject(v)) {
      mergeInto(existing, v, path);
    } else {
      throw new Error(`message key ${path} is defined in two catalogs`);
    }
  }
}

function isObject(v: unknown): v is Catalog {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
