import fs from "node:fs";
import path from "node:path";
import { type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { hydrated, settled } from "../support/e2e-browser.ts";
import { E2ePages } from "../support/e2e-pages.ts";
import { signIn } from "../support/e2e-sign-in.ts";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";

/**
 * The settings page in Chromium with a real SMTP server: a bad reply-to refused beside its field,
 * then saved; a pool's delivery email typed and previewed live in English and Chinese side by
 * side (the pool's name holds markup, shown as text in the sandboxed frame); a test send arrives
 * with the sender name; the page in Chinese (screenshots settings-en, settings-zh-CN).
 */

const OWNER = "owner@example.com";
const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const ADMIN = { email: OWNER, password: PASSWORD };
const shots = path.join(projectRoot, "test-results/e2e");

let app: E2eApp;
let smtp: TestSmtpServer;
let pages: E2ePages;

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  smtp = await startSmtpServer();
  app = await startE2eApp({ env: { NODE_ENV: "production", SMTP_URL: smtp.url, MAIL_FROM: "keyrelay <no-reply@keyrelay.test>" } });
  await createAdmin(app, { email: OWNER, password: PASSWORD, accountName: "Acme Keys" });
  const pool = await app.cli(["pool", "create", "--name", "Gift card <b>", "--json"]);
  if (pool.code !== 0) throw new Error(pool.stderr);
  pages = await E2ePages.launch(app.url);
});

afterAll(async () => {
  await pages?.close();
  await app?.stop();
  await smtp?.stop();
});

const newPage = (lang: string) => pages.open({ acceptLanguage: lang, viewport: { width: 1280, height: 900 } });

/**
 * Ready for a screenshot once the previews are in: scrolled to the top, nothing animating. Not
 * `settled`: its "networkidle" never comes back once a sandboxed srcdoc frame has been replaced
 * (each preview), though nothing is loading.
 */
async function readyForShot(page: Page): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"), undefined, { polling: 100 });
}

describe("settings in Chromium", () => {
  it("saves the email settings, previews a pool's email in both languages, sends a test", async () => {
    const page = await newPage("en-US");
    await signIn(page, ADMIN);
    await hydrated(page);
    await page.getByRole("link", { name: "Settings" }).first().click();
    await page.waitForURL(/\/admin\/settings$/);
    await settled(page);

    await page.getByLabel("Sender name").fill("Acme Keys Support");
    await page.getByLabel("Reply-to address").fill("not an address");
    await page.getByRole("button", { name: "Save settings" }).click();
    // Beside its field (Polaris ties the error to the input).
    await page.getByText("That is not a valid email address.").waitFor();
    await expect(page.getByLabel("Reply-to address").getAttribute("aria-invalid")).resolves.toBe("true");
    await page.getByLabel("Reply-to address").fill("help@acme.example");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Saved: 2 settings changed.").waitFor();

    await page.getByLabel("Subject").fill("{{order}} from {{shop}}");
    await page.getByLabel("HTML body").fill("<h1>Hi {{buyer}}</h1>{{keys}}");
    const en = page.frameLocator('iframe[data-preview-html="en"]');
    const zh = page.frameLocator('iframe[data-preview-html="zh-CN"]');
    await en.getByRole("heading", { name: "Hi Alex" }).waitFor();
    await zh.getByRole("heading", { name: "Hi 小王" }).waitFor();
    // The pool's name is shown as the characters it holds, not as markup.
    await en.getByText("Gift card <b>").waitFor();
    await en.getByText("XXXX-XXXX-XXXX").waitFor();
    await expect(page.locator('[data-preview-subject="en"]').textContent()).resolves.toBe("#1001 from Acme Keys");
    await expect(page.locator('[data-preview-text="zh-CN"]').textContent()).resolves.toContain("XXXX-XXXX-XXXX");
    await readyForShot(page);
    await page.screenshot({ path: path.join(shots, "settings-en.png"), fullPage: true });
    // The frames' documents are drawn only where the viewport is: the preview on its own, in view.
    await page.locator("[data-preview-panes]").scrollIntoViewIfNeeded();
    await page.locator("[data-preview-panes]").screenshot({ path: path.join(shots, "settings-preview-en.png") });

    await page.getByRole("button", { name: "Save email" }).click();
    await page.getByText("The delivery email of Gift card <b> is saved.").waitFor();
    await page.getByRole("button", { name: "Send test", exact: true }).click();
    await page.getByText(`Sent to ${OWNER}.`, { exact: false }).waitFor();
    const [mail] = await smtp.waitForMessages(1);
    expect(mail.envelope.to).toEqual([OWNER]);
    expect(mail.parsed.subject).toBe("#1001 from Acme Keys");
    expect(mail.parsed.from?.value[0]).toMatchObject({ name: "Acme Keys Support", address: "no-reply@keyrelay.test" });
    expect(mail.parsed.html).toContain("Gift card &lt;b&gt;");
  });

  it("reads the same in Chinese, with the saved template previewed", async () => {
    const page = await newPage("zh-CN");
    await signIn(page, ADMIN);
    await page.goto("/admin/settings");
    await hydrated(page);
    await page.getByRole("heading", { name: "设置", exact: true }).waitFor();
    await expect(page.getByLabel("发件人名称").inputValue()).resolves.toBe("Acme Keys Support");
    await page.frameLocator('iframe[data-preview-html="zh-CN"]').getByRole("heading", { name: "Hi 小王" }).waitFor();
    await page.getByRole("button", { name: "发送测试邮件" }).click();
    await page.getByText(`已发送到 ${OWNER}`, { exact: false }).waitFor();
    await readyForShot(page);
    await page.screenshot({ path: path.join(shots, "settings-zh-CN.png"), fullPage: true });
    await page.locator("[data-preview-panes]").scrollIntoViewIfNeeded();
    await page.locator("[data-preview-panes]").screenshot({ path: path.join(shots, "settings-preview-zh-CN.png") });
    expect(pages.pageErrors).toEqual([]);
  });
});
