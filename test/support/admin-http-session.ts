import { expect } from "vitest";

/** A signed-in standalone-admin browser, as plain HTTP: its cookies, its CSRF token. */
export interface AdminHttpSession {
  get(path: string): Promise<Response>;
  /** Posts a form as the browser's fetcher does (React Router's `<path>.data` single fetch). */
  post(path: string, fields: Record<string, string>): Promise<Response>;
  csrf: string;
}

function cookiesFrom(res: Response, jar: Map<string, string>): void {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

/** Signs in through the login form at `url` and reads the CSRF token from the Stores page. */
export async function signInOverHttp(url: string, email: string, password: string): Promise<AdminHttpSession> {
  const jar = new Map<string, string>();
  const form = await fetch(`${url}/login`);
  cookiesFrom(form, jar);
  const loginCsrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1];
  const res = await fetch(`${url}/login?next=%2Fadmin`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
    body: new URLSearchParams({ email, password, csrf: loginCsrf }),
  });
  expect(res.status).toBe(302);
  cookiesFrom(res, jar);
  const get = async (path: string) => {
    const r = await fetch(`${url}${path}`, { redirect: "manual", headers: { cookie: cookieHeader(jar) } });
    cookiesFrom(r, jar);
    return r;
  };
  const page = await get("/admin/stores");
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  expect(csrf).not.toBe("");
  return {
    csrf,
    get,
    post: (path, fields) =>
      fetch(`${url}${path}.data`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
        body: new URLSearchParams({ csrf, ...fields }),
      }),
  };
}
