import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, type E2eApp, projectRoot, startE2eApp } from "../support/e2e-app.ts";
import { hydrated, settled } from "../support/e2e-browser.ts";
import { E2ePages } from "../support/e2e-pages.ts";
import { chooseFromUserMenu, enrolTwoFactor, signIn, submitSecondStep, submitSignIn, totpCode } from "../support/e2e-sign-in.ts";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";

/**
 * Invite → accept → sign in, in Chromium, with the email through a real SMTP server: the owner
 * invites from the team page (English), the invited person opens the link in Chinese, sets a
 * password and is signed in as Support (no Team in the navigation, no reveal in a pool's key
 * list), signs out and in again, turns on two-step verification and signs in with a code; the
 * used link then says so.
 */

const OWNER = "owner@example.com";
const INVITED = "agent@example.com";
const PASSWORD = "Quasar-Tangerine-Wobble-8142";
const NEW_PASSWORD = "Heliotrope-Marzipan-Ferry-5307";
const shots = path.join(projectRoot, "test-results/e2e");

let app: E2eApp;
let smtp: TestSmtpServer;
let pages: E2ePages;

beforeAll(async () => {
  fs.mkdirSync(shots, { recursive: true });
  smtp = await startSmtpServer();
  app = await startE2eApp({ env: { NODE_ENV: "production", SMTP_URL: smtp.url } });
  await createAdmin(app, { email: OWNER, password: PASSWORD, accountName: "Acme Keys" });
  const pool = await app.cli(["pool", "create", "--name", "Gift card", "--json"]);
  if (pool.code !== 0) throw new Error(pool.stderr);
  pages = await E2ePages.launch(app.url);
});

afterAll(async () => {
  await pages?.close();
  await app?.stop();
  await smtp?.stop();
});

describe("team invitations in Chromium", () => {
  it("invite → accept → sign in → two-step verification → sign in with a code, in English and Chinese", async () => {
    const owner = await pages.open({ acceptLanguage: "en-US" });
    await signIn(owner, { email: OWNER, password: PASSWORD });
    await hydrated(owner);
    await owner.getByRole("link", { name: "Team" }).first().click();
    await owner.waitForURL(/\/admin\/team$/);
    await settled(owner);
    await owner.getByLabel("Email", { exact: true }).fill(INVITED);
    await owner.getByLabel("Role", { exact: true }).selectOption("support");
    await owner.getByRole("button", { name: "Send invitation" }).click();
    await owner.getByText(`Invitation sent to ${INVITED}`).waitFor();
    // The open invitation is listed with its actions.
    await owner.getByRole("button", { name: `Resend the invitation to ${INVITED}` }).waitFor();
    await settled(owner);
    await owner.screenshot({ path: path.join(shots, "team-en.png"), fullPage: true });

    const [mail] = await smtp.waitForMessages(1);
    expect(mail.envelope.to).toEqual([INVITED]);
    const link = /(http:\/\/\S+\/invite\/[A-Za-z0-9_-]{43})/.exec(mail.parsed.text ?? "")![1];

    // The invited person reads Chinese.
    const agent = await pages.open({ acceptLanguage: "zh-CN" });
    await agent.goto(link);
    await settled(agent);
    await agent.getByText("你被邀请以客服身份加入 Acme Keys").waitFor();
    await agent.getByLabel("密码", { exact: true }).fill("password1234");
    await agent.getByLabel("再次输入密码").fill("password1234");
    await agent.getByRole("button", { name: "接受并登录" }).click();
    // A weak password is refused beside its field, in Chinese.
    await agent.getByText("这个密码太容易被猜到", { exact: false }).first().waitFor();
    await agent.getByLabel("密码", { exact: true }).fill(NEW_PASSWORD);
    await agent.getByLabel("再次输入密码").fill(NEW_PASSWORD);
    await settled(agent);
    await agent.screenshot({ path: path.join(shots, "team-accept-zh-CN.png"), fullPage: true });
    await agent.getByRole("button", { name: "接受并登录" }).click();
    await agent.waitForURL(/\/admin$/);
    await hydrated(agent);
    // Signed in as Support: no Team in the navigation.
    await agent.getByRole("link", { name: "卡密库" }).first().waitFor();
    expect(await agent.getByRole("link", { name: "团队" }).count()).toBe(0);

    // Signing out and in again with the new password.
    await agent.getByRole("button", { name: new RegExp(INVITED.replace(".", "\\.")) }).click();
    await agent.getByRole("menuitem", { name: "退出登录" }).click();
    await agent.waitForURL(/\/login/);
    await signIn(agent, { email: INVITED, password: NEW_PASSWORD });
    await settled(agent);
    await agent.screenshot({ path: path.join(shots, "team-signed-in-zh-CN.png"), fullPage: true });

    // The new member turns on two-step verification, and from then on signs in with a code.
    const { secret } = await enrolTwoFactor(agent, { email: INVITED, password: NEW_PASSWORD, zh: true });
    await chooseFromUserMenu(agent, INVITED, /^退出登录$/);
    await agent.waitForURL(/\/login/);
    await submitSignIn(agent, { email: INVITED, password: NEW_PASSWORD });
    await submitSecondStep(agent, true, totpCode(secret, 1));
    await agent.waitForURL(/\/admin$/);
    await hydrated(agent);
    await agent.getByRole("link", { name: "卡密库" }).first().waitFor();

    // The team page is closed to Support, and the used link says so.
    const closed = await agent.goto("/admin/team");
    expect(closed?.status()).toBe(403);
    await agent.getByText("无权操作").waitFor();
    const used = await agent.goto(link);
    expect(used?.status()).toBe(410);
    await agent.getByText("该邀请已被接受").waitFor();
    await settled(agent);
    await agent.screenshot({ path: path.join(shots, "team-link-used-zh-CN.png"), fullPage: true });

    // The owner sees the new member with their role; in Chinese too.
    await owner.reload();
    await settled(owner);
    await owner.getByRole("row").filter({ hasText: INVITED }).first().waitFor();
    const ownerZh = await pages.open({ acceptLanguage: "zh-CN" });
    await signIn(ownerZh, { email: OWNER, password: PASSWORD });
    await ownerZh.goto("/admin/team");
    await settled(ownerZh);
    await ownerZh.getByText("团队成员").first().waitFor();
    await ownerZh.screenshot({ path: path.join(shots, "team-zh-CN.png"), fullPage: true });
    expect(pages.pageErrors).toEqual([]);
  });
});
