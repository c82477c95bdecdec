import { expect } from "vitest";

export const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.7444.59 Safari/537.36";
export const FIREFOX_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

/**
 * A standalone-admin browser over plain HTTP: its own cookie jar, User-Agent and address
 * (X-Forwarded-For; the server must trust one proxy hop). `copy()` is someone holding a copy of
 * its cookie: they send the same cookie and never learn what the server sets afterwards.
 */
export class AdminBrowser {
  readonly jar: Map<string, string>;
  readonly url: string;
  readonly headers: Record<string, string>;
  constructor(url: string, headers: Record<string, string> = {}, jar?: Map<string, string>) {
    this.url = url;
    this.headers = { "user-agent": CHROME_UA, ...headers };
    this.jar = new Map(jar);
  }

  copy(): AdminBrowser {
    return new AdminBrowser(this.url, this.headers, this.jar);
  }

  private cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keep(res: Response): Response {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      const value = pair.slice(i + 1);
      if (value === "" || /Expires=Thu, 01 Jan 1970/i.test(c)) this.jar.delete(pair.slice(0, i));
      else this.jar.set(pair.slice(0, i), value);
    }
    return res;
  }

  async get(path: string, extra: Record<string, string> = {}): Promise<Response> {
    return this.keep(await fetch(`${this.url}${path}`, { redirect: "manual", headers: { ...this.headers, ...extra, cookie: this.cookie() } }));
  }

  /** A document form POST (what a browser without JavaScript sends). */
  async post(path: string, fields: Record<string, string>, extra: Record<string, string> = {}): Promise<Response> {
    return this.keep(
      await fetch(`${this.url}${path}`, {
        method: "POST",
        redirect: "manual",
        headers: { ...this.headers, ...extra, "content-type": "application/x-www-form-urlencoded", cookie: this.cookie() },
        body: new URLSearchParams(fields),
      }),
    );
  }

  async signIn(email: string, password: string): Promise<Response> {
    const form = await this.get("/login");
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
    return this.post("/login?next=%2Fadmin", { email, password, csrf });
  }

  /** Signs in and expects it to work. */
  async signedIn(email: string, password: string): Promise<this> {
    const res = await this.signIn(email, password);
    expect(res.status, await res.clone().text()).toBe(302);
    expect(res.headers.get("location")).toBe("/admin");
    return this;
  }

  /** The session's CSRF token, as the sessions page's forms carry it. */
  async csrf(): Promise<string> {
    const page = await this.get("/admin/sessions");
    expect(page.status).toBe(200);
    const token = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    expect(token).toBeTruthy();
    return token!;
  }

  /** 200 when still signed in; a redirect to /login when not. */
  async adminStatus(): Promise<number> {
    const res = await this.get("/admin");
    await res.arrayBuffer();
    if (res.status === 302) expect(res.headers.get("location")).toBe("/login?next=%2Fadmin");
    return res.status;
  }
}
