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
