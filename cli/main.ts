/**
 * bin/keyrelay <command> — the same use-cases as the admin UI, for scripts and terminals.
 * Every command takes --json (one JSON document on stdout; errors as {"error":{code,message,field?,params?}}).
 * Exit codes: 0 done, 1 failed, 2 bad input or usage.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError, loadConfigFromEnvironment, terminalLanguage } from "../app/.server/config.ts";
import { createLogger } from "../app/.server/logger.ts";
import { createServices } from "../app/.server/runtime/services.ts";
import type { Services } from "../app/.server/ports.ts";
import { isLocale, matchLocale, translator, type Locale } from "../app/i18n/i18n.ts";
import { adminCreate } from "./commands/admin-create.ts";
import { adminPassword, adminRemove, adminSessions, adminSignOut } from "./commands/admin-account.ts";
import { adminRequireTwoFactor, adminTwoFactor } from "./commands/admin-two-factor.ts";
import { keysExport, keysImport } from "./commands/keys.ts";
import { keysRotateMaster } from "./commands/keys-rotate-master.ts";
import { poolCreate, poolList, poolShow } from "./commands/pool.ts";
import { jobsStatus } from "./commands/jobs-status.ts";
import { migrate } from "./commands/migrate.ts";
import { map } from "./commands/map.ts";
import { ordersRerun } from "./commands/orders-rerun.ts";
import { storeAddWooCommerce, storeLink, storeLinkCode, storeList, storeSplitOff } from "./commands/store.ts";
import { stockLocations, stockStatus, stockSync } from "./commands/stock.ts";
import { teamInvite, teamList, teamRemove, teamSetRole } from "./commands/team.ts";
import { settingsGet, settingsSet } from "./commands/settings.ts";
import { auditList, auditPrune, auditVerify } from "./commands/audit.ts";
import { forecast, poolRestock, reportDelivery, reportMargin, reportRebuild, reportRepurchase, reportSales } from "./commands/report.ts";
import { riskListAdd, riskListRemove, riskListShow, riskReviewApprove, riskReviewDeny, riskReviewList, riskRulesAdd, riskRulesList, riskRulesRemove, riskRulesTest } from "./commands/risk.ts";
import { resellerLowBalance, resellerStatement, resellerBalanceAdjust, resellerBalanceTopup, resellerCreate, resellerList, resellerPriceSet, resellerOrderRefund, resellerPriceRemove, resellerUpdate, resellerCreditLimit, resellerSuspend, resellerActivate, resellerTokenCreate, resellerTokenList, resellerTokenRevoke, resellerInvite } from "./commands/reseller.ts";
import { backupCreate, backupRestore, backupVerify } from "./commands/backup.ts";
import { openDatabase } from "../app/.server/db/database.ts";
import type { Command, DatabaseOnly, OptionValues } from "./command.ts";
import { createOutput, type DescribedError, describeError, UsageError } from "./output.ts";

const commands: Record<string, Command> = {
  "admin create": adminCreate,
  "admin password": adminPassword,
  "admin remove": adminRemove,
  "admin sessions": adminSessions,
  "admin sign-out": adminSignOut,
  "admin two-factor": adminTwoFactor,
  "admin require-2fa": adminRequireTwoFactor,
  migrate,
  "jobs status": jobsStatus,
  "pool create": poolCreate,
  "pool list": poolList,
  "pool show": poolShow,
  "keys import": keysImport,
  "keys export": keysExport,
  "keys rotate-master": keysRotateMaster,
  "store add-woocommerce": storeAddWooCommerce,
  "store list": storeList,
  "store link-code": storeLinkCode,
  "store link": storeLink,
  "store split-off": storeSplitOff,
  map,
  "orders rerun": ordersRerun,
  "stock sync": stockSync,
  "stock status": stockStatus,
  "stock locations": stockLocations,
  "team invite": teamInvite,
  "team list": teamList,
  "team remove": teamRemove,
  "settings get": settingsGet,
  "settings set": settingsSet,
  "team set-role": teamSetRole,
  "risk rules list": riskRulesList,
  "risk rules add": riskRulesAdd,
  "risk rules remove": riskRulesRemove,
  "risk rules test": riskRulesTest,
  "risk list add": riskListAdd,
  "risk list show": riskListShow,
  "risk list remove": riskListRemove,
  "risk review list": riskReviewList,
  "risk review approve": riskReviewApprove,
  "risk review deny": riskReviewDeny,
  "reseller create": resellerCreate,
  "reseller list": resellerList,
  "reseller price set": resellerPriceSet,
  "reseller price remove": resellerPriceRemove,
  "reseller update": resellerUpdate,
  "reseller credit-limit": resellerCreditLimit,
  "reseller balance topup": resellerBalanceTopup,
  "reseller balance adjust": resellerBalanceAdjust,
  "reseller token create": resellerTokenCreate,
  "reseller token revoke": resellerTokenRevoke,
  "reseller order refund": resellerOrderRefund,
  "reseller suspend": resellerSuspend,
  "reseller activate": resellerActivate,
  "reseller token list": resellerTokenList,
  "reseller low-balance": resellerLowBalance,
  "reseller statement": resellerStatement,
  "reseller invite": resellerInvite,
  "backup create": backupCreate,
  "backup verify": backupVerify,
  "backup restore": backupRestore,
  "report sales": reportSales,
  "report margin": reportMargin,
  "report repurchase": reportRepurchase,
  "report delivery": reportDelivery,
  "report rebuild": reportRebuild,
  forecast,
  "pool restock": poolRestock,
  "audit list": auditList,
  "audit verify": auditVerify,
  "audit prune": auditPrune,
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const json = argv.includes("--json");
const localeFlag = argv.find((a) => a.startsWith("--locale="))?.slice("--locale=".length);

let locale: Locale = isLocale(localeFlag) ? localeFlag : (matchLocale(terminalLanguage()) ?? "en");
let exitCode = 0;
let services: Services | undefined;
try {
  const config = loadConfigFromEnvironment(root);
  locale = isLocale(localeFlag) ? localeFlag : (matchLocale(config.terminalLanguage) ?? config.defaultLocale);
  const t = translator(locale);
  const out = createOutput(json, locale, t);
  const key = [argv[0], argv[1]].filter(Boolean).join(" ");
  // Three-word commands (`risk rules add`) before two and one.
  const key3 = [argv[0], argv[1], argv[2]].filter(Boolean).join(" ");
  const name = commands[key3] ? key3 : commands[key] ? key : commands[argv[0] ?? ""] ? argv[0] : undefined;
  if (!argv[0] || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write(t("cli.usage") + "\n");
  } else if (!name) {
    throw new UsageError("unknownCommand", { command: argv.filter((a) => !a.startsWith("-")).slice(0, 2).join(" ") });
  } else {
    const command = commands[name];
    const rest = argv.slice(name.split(" ").length).filter((a) => !a.startsWith("--locale="));
    const { values, positionals } = parseArgs({ args: rest, options: { ...command.options, json: { type: "boolean" } }, strict: true, allowPositionals: Boolean(command.positionals) });
    const wanted = command.positionals?.count ?? 0;
    const required = command.positionals?.min ?? wanted;
    if (positionals.length < required || positionals.length > wanted) {
      throw positionals.length < required ? new UsageError("missingArgument", { name: command.positionals!.name }) : new UsageError("unknownOption", { detail: positionals.slice(wanted).join(" ") });
    }
    positionals.forEach((p, i) => ((values as OptionValues)[`_${i}`] = p));
    command.validate?.(values as OptionValues);
    // The CLI's own logs go to stderr so stdout stays the command's output.
    const log = createLogger({ level: config.logLevel === "info" ? "warn" : config.logLevel, destination: process.stderr as never });
    let code: void | number;
    if (command.needs === "config") {
      code = await command.run({ config } as Services, values as OptionValues, out);
    } else if (command.needs === "database") {
      const database = openDatabase(config.database.dialect === "sqlite" ? { dialect: "sqlite", file: config.database.file } : { dialect: "postgres", url: config.database.url, poolSize: 2 });
      try {
        // A "database" command touches only these three (see cli/command.ts).
        code = await command.run({ db: database.db, database, config } as DatabaseOnly as Services, values as OptionValues, out);
      } finally {
        await database.close();
      }
    } else {
      services = await createServices(config, { log });
      code = await command.run(services, values as OptionValues, out);
    }
    if (typeof code === "number") exitCode = code;
  }
} catch (e) {
  const t = translator(locale);
  let described;
  if (e instanceof ConfigError) described = { code: "config", message: `${t("cli.configError")}: ${e.message}`, exitCode: 2 };
  else if (e instanceof TypeError && (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    described = { code: "unknownOption", message: t("cli.unknownOption", { detail: e.message }), exitCode: 2 };
  } else described = describeError(e, t);
  // Invalid input also names its field and the message's params (undefined ones are left out).
  const { field, params } = described as DescribedError;
  if (json) process.stdout.write(JSON.stringify({ error: { code: described.code, message: described.message, field, params } }, null, 2) + "\n");
  else process.stderr.write(`keyrelay: ${described.message}\n`);
  exitCode = described.exitCode;
} finally {
  await services?.close().catch(() => {});
}
process.exit(exitCode);
