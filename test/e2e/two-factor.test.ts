import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { hydrated, settled } from "../support/e2e-browser.ts";
import { E2ePages } from "../support/e2e-pages.ts";
import { chooseFromUserMenu, enrolTwoFactor, submitSecondStep, submitSignIn, totpCode } from "../support/e2e-sign-in.ts";

/**
 * Two-step verification in a real browser, in English and Chinese: open it from the user menu,
 * read the secret from the page, confirm with a code computed by otplib and the current password,
 * see the recovery codes,
 * sign out, sign in again with the password and then a code.
 */

const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const shots = path.join(projectRoot, "test-results/e2e");

let app: E2eApp;
let pages: E2ePages;

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  app = await startE2eApp({ env: { NODE_ENV: "production" } });
  for (const email of ["owner-en@example.com", "owner-zh@example.com"]) {
    await createAdmin(app, { email, password: PASSWORD });
  }
  pages = await E2ePages.launch(app.url);
});

afterAll(async () => {
  await pages?.close();
  await app?.stop();
});

const newPage = (lang: string) => pages.open({ acceptLanguage: lang, viewport: { width: 1280, height: 900 } });

describe("two-step verification in Chromium", () => {
  for (const [lang, suffix, email] of [
    ["en-US", "en", "owner-en@example.com"],
    ["zh-CN", "zh-CN", "owner-zh@example.com"],
  ] as const) {
    it(`enrols from the user menu, signs out, and signs in with a code (${suffix})`, async () => {
      const zh = lang === "zh-CN";
      const page = await newPage(lang);
      await submitSignIn(page, { email, password: PASSWORD });
      await page.waitForURL(/\/admin$/);

      const { secret, recoveryCodes } = await enrolTwoFactor(
        page,
        { email, password: PASSWORD, zh },
        {
          beforeConfirm: async () => {
            await expect.poll(() => page.locator("svg path").count()).toBeGreaterThan(0);
            await settled(page);
            await page.screenshot({ path: path.join(shots, `two-factor-scan-${suffix}.png`), fullPage: true });
          },
          afterCodes: async () => {
            await settled(page);
            await page.screenshot({ path: path.join(shots, `two-factor-recovery-codes-${suffix}.png`), fullPage: true });
          },
        },
      );
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(recoveryCodes).toHaveLength(10);

      await chooseFromUserMenu(page, email, zh ? /^退出登录$/ : /^Sign out$/);
      await page.waitForURL(/\/login\?signedOut=1$/);

      await submitSignIn(page, { email, password: PASSWORD });
      await page.waitForURL(/\/login\/two-factor$/);
      await hydrated(page);
      await page.getByText(zh ? "请输入验证器应用中显示的 6 位验证码。" : "Enter the 6-digit code from your authenticator app.").waitFor();
      await settled(page);
      await page.screenshot({ path: path.join(shots, `login-two-factor-${suffix}.png`), fullPage: true });
      // A wrong code is refused beside the form, in the page's language.
      await submitSecondStep(page, zh, "000000");
      await page.getByText(zh ? /验证码不正确/ : /That code is not right/).waitFor();
      // The enrolment used this step's code: the next one.
      await submitSecondStep(page, zh, totpCode(secret, 1));
      await page.waitForURL(/\/admin$/);
      await hydrated(page);
      expect(pages.pageErrors).toEqual([]);
    });
  }

  it("shows 'Forgot password?' on the sign-in page and the same answer for any email (zh-CN)", async () => {
    const page = await newPage("zh-CN");
    await page.goto("/login");
    await hydrated(page);
    await page.getByRole("link", { name: "忘记密码？" }).click();
    await page.waitForURL(/\/forgot-password$/);
    await hydrated(page);
    await page.getByLabel("邮箱").fill("nobody@example.com");
    await page.getByRole("button", { name: "发送重置链接" }).click();
    await page.getByText(/重置密码的链接已发出/).waitFor();
    await settled(page);
    await page.screenshot({ path: path.join(shots, "forgot-password-zh-CN.png"), fullPage: true });
    expect(pages.pageErrors).toEqual([]);
  });
});
