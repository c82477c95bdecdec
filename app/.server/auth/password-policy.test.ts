import { describe, expect, it } from "vitest";
import { createI18n } from "../../i18n/i18n.ts";
import { InvalidInputError } from "../domain/errors.ts";
import { checkPasswordPolicy, contextWords, estimatePassword, SUGGESTIONS, WARNINGS } from "./password-policy.ts";

const EMAIL = "owner@example.com";

async function refusal(password: string, email = EMAIL): Promise<InvalidInputError> {
  const e = await checkPasswordPolicy(password, { email, field: "password" }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, password).toBeInstanceOf(InvalidInputError);
  return e as InvalidInputError;
}

describe("password policy", () => {
  it("refuses common, repeated and sequential passwords of a valid length, saying why", async () => {
    const cases: [string, string][] = [
      ["password1234", "similarToCommon"],
      ["aaaaaaaaaaaa", "simpleRepeat"],
      ["abcdefghijkl", "sequences"],
      ["qwertyuiop12", "similarToCommon"],
      ["iloveyou1234", "similarToCommon"],
    ];
    for (const [password, warning] of cases) {
      const e = await refusal(password);
      expect(e.code, password).toBe("password_weak");
      expect(e.field).toBe("password");
      expect(e.params.warning, password).toBe(warning);
      expect(String(e.params.suggestions)).toContain("anotherWord");
    }
    expect((await refusal("aaaaaaaaaaaa")).params.suggestion).toBe("repeated");
  });

  it("refuses passwords built from the product's name, 'admin' or the admin's email", async () => {
    for (const password of [
      "keyrelay-admin",
      "Keyrelay-Admin1",
      "KEYRELAYADMIN!",
      "keyrelay.admin.01",
      "keyrelay-admin-2024",
      "admin-keyrelay",
      "owner@example.com",
      "OWNER@EXAMPLE.COM",
      "ownerexample1",
      "example-owner-99",
    ]) {
      const e = await refusal(password);
      expect(e.code, password).toBe("password_weak");
      expect(e.params.warning, password).toBe("userInputs");
    }
    // Someone else's email in the same password is only a word.
    expect((await estimatePassword("example-owner-99", "someone@else.org")).ok).toBe(true);
  });

  it("refuses a season, a month or the shop's platform with a year and a symbol", async () => {
    for (const password of ["Summer2024!!", "Shopify2024!", "Winter2025!!", "December2024!", "WooCommerce2024!"]) {
      const e = await refusal(password);
      expect(e.code, password).toBe("password_weak");
    }
  });

  it("judges a long password by its first 100 characters (zxcvbn's cost grows with length)", async () => {
    const strongStart = "violet tundra pickle anchor ".repeat(4).slice(0, 100);
    await expect(checkPasswordPolicy(strongStart + "1".repeat(924), { email: EMAIL, field: "password" })).resolves.toBeUndefined();
    const weakStart = "a".repeat(100);
    expect((await refusal(weakStart + "nQ7#vLp2xRz9".repeat(20))).code).toBe("password_weak");
  });

  it("accepts a passphrase and a random password", async () => {
    for (const password of ["correct horse battery staple", "violet tundra pickle anchor", "nQ7#vLp2xRz9", "Sesame-Open-密码-7f3a9c", "correct-horse-1"]) {
      await expect(checkPasswordPolicy(password, { email: EMAIL, field: "password" }), password).resolves.toBeUndefined();
    }
  });

  it("keeps the length rules: at least 12, at most 1024 characters", async () => {
    const short = await refusal("Xq7#vLp2xRz");
    expect([short.code, short.params.min]).toEqual(["password_too_short", 12]);
    const long = await refusal("x".repeat(1025));
    expect([long.code, long.params.max]).toEqual(["password_too_long", 1024]);
  });

  it("knows the email, its parts and its domain's name as guessable words", () => {
    const fixed = contextWords(undefined);
    expect(fixed.slice(0, 4)).toEqual(["keyrelay", "admin", "shopify", "woocommerce"]);
    expect(fixed).toContain("summer");
    expect(contextWords("Jane.Doe+shop@Acme-Keys.com")).toEqual([...fixed, "jane.doe+shop@acme-keys.com", "jane.doe+shop", "jane", "doe", "shop", "acme-keys"]);
  });

  it("says why in both languages, for every reason it can give", async () => {
    for (const locale of ["en", "zh-CN"] as const) {
      const { t } = createI18n(locale);
      for (const warning of WARNINGS) {
        for (const suggestion of SUGGESTIONS) {
          const text = t("errors.password_weak", { warning, suggestion });
          expect(text).not.toMatch(/passwordStrength|\$t\(|\{\{/);
        }
      }
      const e = await refusal("aaaaaaaaaaaa");
      const text = t(`errors.${e.code}`, e.params);
      expect(text).toBe(
        locale === "en"
          ? "This password is too easy to guess. Repeated characters like “aaa” are easy to guess. Avoid repeated words and characters."
          : "这个密码太容易被猜到。像“aaa”这样重复的字符很容易被猜到。避免重复的单词和字符。",
      );
    }
  });
});
