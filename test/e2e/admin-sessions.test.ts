import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { hydrated, settled } from "../support/e2e-browser.ts";
import { E2ePages } from "../support/e2e-pages.ts";
import { chooseFromUserMenu, signIn } from "../support/e2e-sign-in.ts";

/**
 * Sessions in a real browser: two browsers signed in as one admin see each other on the sessions
 * page; signing the other out sends it to /login on its next click. The password page shows a
 * field's error beside it, in English and Chinese.
 */

const EMAIL = "owner@example.com";
const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const ADMIN = { email: EMAIL, password: PASSWORD };
const FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const shots = path.join(projectRoot, "test-results/e2e");

let app: E2eApp;
let pages: E2ePages;

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  app = await startE2eApp({ env: { NODE_ENV: "production" } });
  await createAdmin(app, { email: EMAIL, password: PASSWORD });
  pages = await E2ePages.launch(app.url);
});

afterAll(async () => {
  await pages?.close();
  await app?.stop();
});

describe("admin sessions in Chromium", () => {
  it("signs in from two browsers, signs the other out from the sessions page, and the other is at /login on its next click", async () => {
    const here = await pages.open();
    const other = await pages.open({ userAgent: FIREFOX });
    await signIn(here, ADMIN);
    await signIn(other, ADMIN);

    await chooseFromUserMenu(here, EMAIL, /^Sessions$/);
    await here.waitForURL(/\/admin\/sessions$/);
    await settled(here);
    await here.getByText("2 active sessions", { exact: true }).waitFor();
    await here.getByText("This device").waitFor();
    await here.getByText("Firefox 133 · Windows").waitFor();
    await here.screenshot({ path: path.join(shots, "admin-sessions-en.png"), fullPage: true });

    await here.getByRole("button", { name: "Sign out Firefox 133 · Windows" }).click();
    await here.getByText("1 active session", { exact: true }).waitFor();
    expect(await here.getByText("Firefox 133 · Windows").count()).toBe(0);

    // The other browser still shows the dashboard; its next navigation finds the session gone.
    await hydrated(other);
    await other.getByRole("link", { name: "Key pools" }).click();
    await other.waitForURL(/\/login\?next=%2Fadmin%2Fpools$/);
    await other.getByRole("heading", { name: "Sign in to keyrelay" }).waitFor();
    // And this one is still signed in.
    await here.goto("/admin/pools");
    expect(new URL(here.url()).pathname).toBe("/admin/pools");
  });

  it("shows a wrong current password beside its field, in English and in Chinese", async () => {
    for (const lang of ["en-US", "zh-CN"]) {
      const page = await pages.open({ acceptLanguage: lang });
      await signIn(page, ADMIN);
      await chooseFromUserMenu(page, EMAIL, /^(Change password|修改密码)$/);
      await page.waitForURL(/\/admin\/password$/);
      await hydrated(page);
      await page.getByLabel(/^(Current password|当前密码)$/).fill("not-my-password-1");
      await page.getByLabel(/^(New password|新密码)$/).fill("Heliotrope-Marzipan-Ferry-5307");
      await page.getByLabel(/^(Repeat the new password|再次输入新密码)$/).fill("Heliotrope-Marzipan-Ferry-5307");
      await page.getByRole("button", { name: /^(Change password|修改密码)$/ }).click();
      const message = lang === "zh-CN" ? "当前密码不正确。" : "The current password is wrong.";
      await page.getByText(message).waitFor();
      // Beside the field: Polaris ties the error to the input it is about.
      const described = await page.getByLabel(/^(Current password|当前密码)$/).getAttribute("aria-describedby");
      expect(described).toBeTruthy();
      expect(await page.locator(`[id="${described!.split(" ")[0]}"]`).innerText()).toContain(message);
      await settled(page);
      await page.screenshot({ path: path.join(shots, `admin-password-${lang === "zh-CN" ? "zh-CN" : "en"}.png`), fullPage: true });
    }
  });

  it("speaks Chinese on the sessions page, and 'sign out everywhere' lands on /login", async () => {
    const page = await pages.open({ acceptLanguage: "zh-CN" });
    await signIn(page, ADMIN);
    await chooseFromUserMenu(page, EMAIL, /^登录设备$/);
    await page.waitForURL(/\/admin\/sessions$/);
    await settled(page);
    await page.getByText("当前设备", { exact: true }).waitFor();
    await page.screenshot({ path: path.join(shots, "admin-sessions-zh-CN.png"), fullPage: true });
    await page.getByRole("button", { name: "退出所有设备" }).click();
    await page.waitForURL(/\/login\?signedOut=1$/);
    await page.getByText("您已退出登录。").waitFor();
    await page.goto("/admin");
    await page.waitForURL(/\/login\?next=%2Fadmin$/);
  });

  it("threw no errors in any page", () => {
    expect(pages.pageErrors).toEqual([]);
  });
});
