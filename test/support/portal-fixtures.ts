import fs from "node:fs";
import path from "node:path";
import { simpleParser } from "mailparser";
import { expect } from "vitest";
import { inviteResellerUser } from "../../app/.server/use-cases/invite-reseller-user.ts";
import { AdminBrowser } from "./admin-browser.ts";
import type { TestServices } from "./test-services.ts";

export const PORTAL_PASSWORD = "Marigold-Trombone-Glacier-6631";
export const PORTAL_LINK = /(https?:\/\/[^\s]+\/portal\/invite\/([A-Za-z0-9_-]{43}))/;

/** The portal invitation link in the newest email to `to` (the file outbox of the test services). */
export async function portalLinkFor(s: TestServices, to: string): Promise<{ url: string; path: string; subject: string }> {
  const dir = s.config.mail.outboxDir;
  const deadline = Date.now() + 5000;
  for (;;) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
    const mails = [];
    for (const f of files) {
      const m = await simpleParser(fs.readFileSync(path.join(dir, f)));
      const rcpt = Array.isArray(m.to) ? m.to.flatMap((a) => a.value) : (m.to?.value ?? []);
      if (rcpt.some((a) => a.address === to) && PORTAL_LINK.test(m.text ?? "")) mails.push(m);
    }
    const last = mails.at(-1);
    if (last) {
      const url = PORTAL_LINK.exec(last.text ?? "")![1];
      return { url, path: new URL(url).pathname, subject: last.subject ?? "" };
    }
    if (Date.now() > deadline) throw new Error(`no portal invitation to ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A browser at the portal: the signed-out forms' token, reading a signed-in page's CSRF token. */
export async function csrfOf(b: AdminBrowser, pathname: string): Promise<string> {
  const page = await b.get(pathname);
  expect(page.status).toBe(200);
  return /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
}

/** Merchant invites `email` to the reseller; the invitee opens the link, sets a password and is signed in. */
export async function invitedPortalUser(s: TestServices, url: string, accountId: string, resellerId: string, email: string): Promise<AdminBrowser> {
  await inviteResellerUser(s, accountId, { resellerId, email }, { type: "cli" });
  const link = await portalLinkFor(s, email);
  const b = new AdminBrowser(url);
  const csrf = await csrfOf(b, link.path);
  const res = await b.post(link.path, { csrf, password: PORTAL_PASSWORD, confirm: PORTAL_PASSWORD });
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe("/portal");
  return b;
}

/** Posts a form as the portal's fetchers do (React Router's single-fetch `.data` endpoint; the index route's is `/portal.data?index`). */
export async function portalPost(b: AdminBrowser, pathname: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await b.post(pathname === "/portal" ? "/portal.data?index" : `${pathname}.data`, fields);
  return { status: res.status, text: await res.text() };
}
