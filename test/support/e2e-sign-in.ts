import { generateSync } from "otplib";
import type { Page } from "playwright-core";
import { hydrated } from "./e2e-browser.ts";

export interface Credentials {
  email: string;
  password: string;
}

/** Fills the sign-in form (in English or Chinese) and submits it; where it lands is the caller's to check. */
export async function submitSignIn(page: Page, who: Credentials): Promise<void> {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel(/^(Email|邮箱)$/).fill(who.email);
  await page.getByLabel(/^(Password|密码)$/).fill(who.password);
  await page.getByRole("button", { name: /^(Sign in|登录)$/ }).click();
}

/** Signs in and waits for the dashboard. */
export async function signIn(page: Page, who: Credentials): Promise<void> {
  await submitSignIn(page, who);
  await page.waitForURL((u) => u.pathname === "/admin");
}

/** Opens the user menu (the button named by the signed-in email) and picks an item from it. */
export async function chooseFromUserMenu(page: Page, email: string, item: RegExp): Promise<void> {
  await hydrated(page);
  await page.getByRole("button", { name: new RegExp(email.replace(/[.]/g, "\\.")) }).click();
  const menuItem = page.getByRole("menuitem", { name: item });
  await menuItem.waitFor({ state: "visible" });
  await menuItem.click();
}

/** A current TOTP code for a secret, `steps` periods of 30 s from now. */
export const totpCode = (secret: string, steps = 0): string => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

/**
 * Turns on two-step verification from the user menu (the page in English or Chinese): reads the
 * secret off the page, confirms with its code and the current password, waits for the 10
 * recovery codes. Returns the secret; `beforeConfirm` lets a caller screenshot the scan step.
 */
export async function enrolTwoFactor(
  page: Page,
  who: Credentials & { zh: boolean },
  hooks: { beforeConfirm?: () => Promise<void>; afterCodes?: () => Promise<void> } = {},
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const { zh } = who;
  await chooseFromUserMenu(page, who.email, zh ? /^两步验证$/ : /^Two-step verification$/);
  await page.waitForURL(/\/admin\/two-factor$/);
  await hydrated(page);
  await page.getByRole("button", { name: zh ? "设置两步验证" : "Set up two-step verification" }).click();
  const secretEl = page.getByTestId("totp-secret");
  await secretEl.waitFor({ state: "visible" });
  const secret = (await secretEl.textContent())!.trim();
  await hooks.beforeConfirm?.();
  await page.getByLabel(zh ? "应用中的验证码" : "Code from the app").fill(totpCode(secret));
  await page.getByLabel(zh ? "当前密码" : "Current password").fill(who.password);
  await page.getByRole("button", { name: zh ? /^开启$/ : /^Turn on$/ }).click();
  const codes = page.getByTestId("recovery-codes");
  await codes.waitFor({ state: "visible" });
  const recoveryCodes = (await codes.textContent())!.match(/[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/g) ?? [];
  await page.getByText(zh ? "两步验证已开启" : "Two-step verification is on").waitFor();
  await hooks.afterCodes?.();
  return { secret, recoveryCodes };
}

/**
 * The second sign-in step: the code page, then a code. `code` defaults to the next period's
 * (the enrolment just used this one, and a code is accepted only once).
 */
export async function submitSecondStep(page: Page, zh: boolean, code: string): Promise<void> {
  await page.waitForURL(/\/login\/two-factor$/);
  await hydrated(page);
  await page.getByLabel(zh ? "验证码" : "Code", { exact: true }).fill(code);
  await page.getByRole("button", { name: zh ? "验证并登录" : "Verify and sign in" }).click();
}
