import type { Command } from "../command.ts";
import { parseSettingKey, SETTING_KEYS, type AccountSettings, type SettingKey } from "../../app/.server/domain/account-settings.ts";
import { getAccountSettings, updateAccountSettings } from "../../app/.server/use-cases/manage-settings.ts";
import type { Output } from "../output.ts";
import { resolveAccount } from "../resolve-account.ts";

/**
 * The settings page's twins: `settings get [KEY]` and `settings set KEY VALUE`, with the page's
 * validation and messages (domain/account-settings.ts) and its audit row (actor cli). The keys are
 * public names (README, "Settings").
 */

function shown(out: Output, value: AccountSettings[SettingKey]): string {
  return value === null || value === "" ? out.t("cli.settingsUnset") : String(value);
}

export const settingsGet: Command = {
  options: { account: { type: "string" } },
  positionals: { count: 1, min: 0, name: "KEY" },
  needs: "services",
  validate(values) {
    // A mistyped key is refused before anything is opened.
    if (values._0 !== undefined) parseSettingKey(values._0);
  },
  async run(s, values, out) {
    const accountId = await resolveAccount(s, values.account);
    const settings = await getAccountSettings(s, accountId);
    const keys = values._0 === undefined ? SETTING_KEYS : [parseSettingKey(values._0)];
    for (const key of keys) out.say(out.t("cli.settingsLine", { key, value: shown(out, settings[key]) }));
    out.result({ accountId, settings: Object.fromEntries(keys.map((k) => [k, settings[k]])) });
  },
};

export const settingsSet: Command = {
  options: { account: { type: "string" } },
  positionals: { count: 2, name: "KEY VALUE" },
  needs: "services",
  validate(values) {
    parseSettingKey(values._0);
  },
  async run(s, values, out) {
    const accountId = await resolveAccount(s, values.account);
    const key = parseSettingKey(values._0);
    const r = await updateAccountSettings(s, accountId, { [key]: String(values._1 ?? "") }, { type: "cli" });
    const params = { key, value: shown(out, r.settings[key]) };
    out.say(r.changed.length ? out.t("cli.settingsSet", params) : out.t("cli.settingsUnchanged", params));
    out.result({ accountId, key, value: r.settings[key], changed: r.changed.length > 0 });
  },
};
