import type { KeyrelayMigration } from "./column-types.ts";
import { initialSchema } from "./0001-initial-schema.ts";
import { fulfilment } from "./0002-fulfilment.ts";
import { orderConfirmation } from "./0003-order-confirmation.ts";
import { adminSessions } from "./0004-admin-sessions.ts";
import { linkCodes } from "./0006-link-codes.ts";
import { team } from "./0007-team.ts";
import { accountSettings } from "./0008-account-settings.ts";
import { twoFactor } from "./0009-two-factor.ts";
import { risk } from "./0010-risk.ts";
import { resellers } from "./0011-resellers.ts";
import { reports } from "./0012-reports.ts";
import { backups } from "./0013-backups.ts";
import { audit } from "./0014-audit.ts";
import { resellerWebhooks } from "./0016-reseller-webhooks.ts";
import { resellerPortal } from "./0018-reseller-portal.ts";
import { hostRisk } from "./0020-host-risk.ts";
import { reportIncremental } from "./0021-report-incremental.ts";
import { auditRetention } from "./0022-audit-retention.ts";
import { resellerSandbox } from "./0023-reseller-sandbox.ts";
import { repurchaseDays } from "./0024-repurchase-days.ts";
import { riskCard } from "./0025-risk-card.ts";

/** Every migration in order. Names are permanent: never rename or reorder one that has shipped. */
export const migrations: Record<string, KeyrelayMigration> = {
  "0001-initial-schema": initialSchema,
  "0002-fulfilment": fulfilment,
  "0003-order-confirmation": orderConfirmation,
  "0004-admin-sessions": adminSessions,
  "0006-link-codes": linkCodes,
  "0007-team": team,
  "0008-account-settings": accountSettings,
  "0009-two-factor": twoFactor,
  "0010-risk": risk,
  "0011-resellers": resellers,
  "0012-reports": reports,
  "0013-backups": backups,
  "0014-audit": audit,
  "0016-reseller-webhooks": resellerWebhooks,
  "0018-reseller-portal": resellerPortal,
  "0020-host-risk": hostRisk,
  "0021-report-incremental": reportIncremental,
  "0022-audit-retention": auditRetention,
  "0023-reseller-sandbox": resellerSandbox,
  "0024-repurchase-days": repurchaseDays,
  "0025-risk-card": riskCard,
};
