import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { hydrated, settled } from "../support/e2e-browser.ts";
import { E2ePages } from "../support/e2e-pages.ts";
import { chooseFromUserMenu } from "../support/e2e-sign-in.ts";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";

/**
 * The reseller portal in Chromium, the email through a real SMTP server: the merchant invites a
 * reseller's person (CLI), who opens the link, sets a password, signs out and in at
 * /portal/login, reads the catalog, places an order by hand, reveals its keys and downloads them
 * as CSV and TXT; then switches to 简体中文 and sees every portal page in Chinese. Screenshots
 * of each step in both languages go to test-results/e2e.
 */

const MERCHANT = "owner@example.com";
const RESELLER_USER = "buyer@downstream.example";
const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const NEW_PASSWORD = "Marigold-Trombone-Glacier-6631";
const CODES = ["GC100-AAAA-0001", "GC100-AAAA-0002", "GC100-AAAA-0003", "GC100-AAAA-0004", "GC100-AAAA-0005"];
const shots = path.join(projectRoot, "test-results/e2e");

let app: E2eApp;
let smtp: TestSmtpServer;
let pages: E2ePages;
let resellerId = "";
let receiver: http.Server;
let receiverUrl = "";
const received: string[] = [];

async function cli(args: string[]): Promise<Record<string, any>> {
  const r = await app.cli([...args, "--json"]);
  if (r.code !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  smtp = await startSmtpServer();
  // The reseller's webhook endpoint: a local receiver (http allowed for the test).
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push(body);
      res.end("ok");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/keyrelay`;
  app = await startE2eApp({ env: { NODE_ENV: "production", SMTP_URL: smtp.url, RESELLER_WEBHOOKS_ALLOW_HTTP: "on" } });
  await createAdmin(app, { email: MERCHANT, password: PASSWORD, accountName: "Acme Keys" });
  const pool = await cli(["pool", "create", "--name", "Game card 100"]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "portal-e2e-")), "keys.txt");
  fs.writeFileSync(file, CODES.join("\n") + "\n");
  await cli(["keys", "import", "--pool", pool.id ?? pool.pool?.id, file]);
  const second = await cli(["pool", "create", "--name", "Streaming 30 days"]);
  const reseller = await cli(["reseller", "create", "--name", "Downstream Games", "--email", RESELLER_USER, "--currency", "USD"]);
  resellerId = reseller.reseller?.id ?? reseller.id;
  await cli(["reseller", "price", "set", "--reseller", resellerId, "--pool", pool.id ?? pool.pool?.id, "--price", "12.50"]);
  await cli(["reseller", "price", "set", "--reseller", resellerId, "--pool", second.id ?? second.pool?.id, "--price", "3.20"]);
  await cli(["reseller", "balance", "topup", "--reseller", resellerId, "--amount", "500", "--note", "Wire 2026-12"]);
  pages = await E2ePages.launch(app.url);
});

afterAll(async () => {
  await pages?.close();
  await app?.stop();
  await smtp?.stop();
  await new Promise((r) => receiver?.close(r));
});

describe("reseller portal in Chromium", () => {
  it("invite → set password → login → catalog → order → reveal keys → download, in English and Chinese", async () => {
    const invited = await cli(["reseller", "invite", "--reseller", resellerId, "--email", RESELLER_USER]);
    expect(invited.sent).toBe(true);
    const [mail] = await smtp.waitForMessages(1);
    expect(mail.envelope.to).toEqual([RESELLER_USER]);
    const link = /(http:\/\/\S+\/portal\/invite\/[A-Za-z0-9_-]{43})/.exec(mail.parsed.text ?? "")![1];

    const page = await pages.open({ acceptLanguage: "en-US" });
    await page.goto(link);
    await settled(page);
    await page.getByText("Downstream Games", { exact: false }).first().waitFor();
    await page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel(/again|confirm/i).fill(NEW_PASSWORD);
    await page.screenshot({ path: path.join(shots, "portal-invite-en.png"), fullPage: true });
    await page.getByRole("button", { name: "Set password and sign in" }).click();
    await page.waitForURL(/\/portal$/);

    // Out and in again, through the portal's own login.
    await chooseFromUserMenu(page, RESELLER_USER, /Sign out/);
    await page.waitForURL(/\/portal\/login\?signedOut=1$/);
    await page.getByLabel("Email").fill(RESELLER_USER);
    await page.getByLabel("Password").fill(NEW_PASSWORD);
    await settled(page);
    await page.screenshot({ path: path.join(shots, "portal-login-en.png"), fullPage: true });
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/portal$/);
    await settled(page);
    await page.getByText("Game card 100").first().waitFor();
    await page.getByText("$12.50").first().waitFor();
    await page.screenshot({ path: path.join(shots, "portal-catalog-en.png"), fullPage: true });

    await page.getByLabel("Quantity").fill("2");
    await page.getByLabel("Your reference").fill("PO-1001");
    await page.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/portal\/orders\/[0-9a-f-]{36}\?placed=1$/);
    await settled(page);
    await page.getByText("Order placed").waitFor();
    for (const c of CODES.slice(0, 2)) expect(await page.getByText(c).count()).toBe(0);
    await page.screenshot({ path: path.join(shots, "portal-order-masked-en.png"), fullPage: true });
    await page.getByRole("button", { name: "Reveal keys" }).click();
    await page.getByText(CODES[0]).waitFor();
    await page.getByText(CODES[1]).waitFor();
    await settled(page);
    await page.screenshot({ path: path.join(shots, "portal-order-revealed-en.png"), fullPage: true });

    const csvDownload = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download CSV" }).click();
    const csv = fs.readFileSync((await (await csvDownload).path())!);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString("utf8").slice(1).split("\r\n").filter(Boolean)).toEqual(["code", CODES[0], CODES[1]]);
    const txtDownload = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download TXT" }).click();
    const txt = await txtDownload;
    expect(txt.suggestedFilename()).toMatch(/\.txt$/);
    expect(fs.readFileSync((await txt.path())!, "utf8")).toBe(`${CODES[0]}\n${CODES[1]}\n`);

    await page.getByRole("link", { name: "Balance" }).first().click();
    await page.waitForURL(/\/portal\/balance$/);
    await settled(page);
    await page.getByText("$475.00").first().waitFor();
    await page.screenshot({ path: path.join(shots, "portal-balance-en.png"), fullPage: true });

    await page.getByRole("link", { name: "API tokens" }).first().click();
    await page.waitForURL(/\/portal\/tokens$/);
    await settled(page);
    await page.getByLabel("Name").fill("My shop");
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByText(/^kr_live_[A-Za-z0-9_-]+$/).waitFor();
    await settled(page);
    await page.screenshot({ path: path.join(shots, "portal-tokens-en.png"), fullPage: true });

    await page.getByRole("link", { name: "Webhooks" }).first().click();
    await page.waitForURL(/\/portal\/webhooks$/);
    await settled(page);
    await page.getByLabel("Endpoint URL").fill(receiverUrl);
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.getByText(/^whsec_/).waitFor();
    await page.getByText(receiverUrl).first().waitFor();
    await settled(page);
    await page.screenshot({ path: path.join(shots, "portal-webhooks-en.png"), fullPage: true });

    // 简体中文, from the portal's own menu: it stays the portal user's choice.
    await chooseFromUserMenu(page, RESELLER_USER, /简体中文/);
    await page.getByRole("heading", { name: "Webhook" }).first().waitFor();
    await settled(page);
    await page.screenshot({ path: path.join(shots, "portal-webhooks-zh-CN.png"), fullPage: true });
    await page.getByRole("link", { name: "商品目录" }).first().click();
    await page.waitForURL(/\/portal$/);
    await settled(page);
    await page.getByRole("button", { name: "提交订单" }).waitFor();
    await page.screenshot({ path: path.join(shots, "portal-catalog-zh-CN.png"), fullPage: true });
    await page.getByLabel("数量").fill("1");
    await page.getByRole("button", { name: "提交订单" }).click();
    await page.waitForURL(/\/portal\/orders\/[0-9a-f-]{36}\?placed=1$/);
    await page.getByRole("button", { name: "显示卡密" }).click();
    await page.getByText(CODES[2]).waitFor();
    await settled(page);
    await page.screenshot({ path: path.join(shots, "portal-order-zh-CN.png"), fullPage: true });
    await page.getByRole("link", { name: "订单" }).first().click();
    await page.waitForURL(/\/portal\/orders$/);
    await settled(page);
    await page.getByText("PO-1001").waitFor();
    await page.screenshot({ path: path.join(shots, "portal-orders-zh-CN.png"), fullPage: true });
    await page.getByRole("link", { name: "余额" }).first().click();
    await page.waitForURL(/\/portal\/balance$/);
    await settled(page);
    await page.getByText("充值").first().waitFor();
    await page.screenshot({ path: path.join(shots, "portal-balance-zh-CN.png"), fullPage: true });
    await page.getByRole("link", { name: "API 令牌" }).first().click();
    await page.waitForURL(/\/portal\/tokens$/);
    await settled(page);
    await page.screenshot({ path: path.join(shots, "portal-tokens-zh-CN.png"), fullPage: true });

    // The Chinese order's order.fulfilled reached the endpoint: its delivery log, and a replay.
    await page.getByRole("link", { name: "Webhook" }).first().click();
    await page.waitForURL(/\/portal\/webhooks$/);
    await page.getByText("已送达").first().waitFor();
    const sent = received.length;
    expect(sent).toBeGreaterThan(0);
    await page.getByRole("button", { name: "重新发送" }).first().click();
    await page.getByText("已重新发送").waitFor();
    await expect.poll(() => received.length).toBeGreaterThan(sent);
    expect(JSON.parse(received.at(-1)!).id).toBe(JSON.parse(received[sent - 1]).id);
    await settled(page);
    await page.screenshot({ path: path.join(shots, "portal-webhooks-log-zh-CN.png"), fullPage: true });

    // The signed-out login page in Chinese (a zh-CN browser).
    const zh = await pages.open({ acceptLanguage: "zh-CN" });
    await zh.goto("/portal/login");
    await settled(zh);
    await zh.getByRole("heading", { name: "代理商登录" }).waitFor();
    await zh.screenshot({ path: path.join(shots, "portal-login-zh-CN.png"), fullPage: true });
    await hydrated(zh);

    expect(pages.pageErrors).toEqual([]);
    expect(pages.badResponses).toEqual([]);
  });
});
