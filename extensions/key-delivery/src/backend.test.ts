import { describe, expect, it } from "vitest";
import { fetchKeys } from "./backend.ts";
import { BACKEND_URL } from "./backend-url.ts";

describe("fetching the keys", () => {
  it("asks keyrelay for the order with the session token as a Bearer header", async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    const fake = (async (url: string, init?: RequestInit) => {
      calls.push({ url, init });
      return Response.json({ status: "ready", lines: [{ title: "Game card", keys: [{ code: "AAAA", fields: {} }], hiddenKeys: 0, pendingUnits: 0 }] });
    }) as unknown as typeof fetch;
    const outcome = await fetchKeys({ surface: "customer-account", orderId: "42", reveal: true, token: async () => "header.payload.sig", fetch: fake });
    expect(outcome).toEqual({ kind: "ready", lines: [{ title: "Game card", keys: [{ code: "AAAA", fields: {} }], hiddenKeys: 0, pendingUnits: 0 }] });
    expect(calls).toEqual([{ url: `${BACKEND_URL}/api/buyer/orders/42/keys?surface=customer-account&reveal=1`, init: { headers: { Authorization: "Bearer header.payload.sig" } } }]);
  });

  it("names the order's confirmation number in a header when the thank-you page has one", async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    const fake = (async (url: string, init?: RequestInit) => {
      calls.push({ url, init });
      return Response.json({ error: "order_not_found" }, { status: 404 });
    }) as unknown as typeof fetch;
    await fetchKeys({ surface: "checkout", orderId: "42", confirmation: "XPAV284CT", reveal: false, token: async () => "t", fetch: fake });
    expect(calls[0].url).toBe(`${BACKEND_URL}/api/buyer/orders/42/keys?surface=checkout`);
    expect(calls[0].init).toEqual({ headers: { Authorization: "Bearer t", "X-Keyrelay-Confirmation": "XPAV284CT" } });
  });

  it("turns a network error, a failed token and a non-JSON answer into failures, 404 into not found", async () => {
    const down = (async () => {
      throw new TypeError("Failed to fetch");
    }) as unknown as typeof fetch;
    expect(await fetchKeys({ surface: "checkout", orderId: "1", reveal: false, token: async () => "t", fetch: down })).toEqual({ kind: "failed" });
    const noToken = async () => {
      throw new Error("no token");
    };
    expect(await fetchKeys({ surface: "checkout", orderId: "1", reveal: false, token: noToken, fetch: down })).toEqual({ kind: "failed" });
    const html = (async () => new Response("<html>", { status: 502 })) as unknown as typeof fetch;
    expect(await fetchKeys({ surface: "checkout", orderId: "1", reveal: false, token: async () => "t", fetch: html })).toEqual({ kind: "failed" });
    const missing = (async () => Response.json({ error: "order_not_found" }, { status: 404 })) as unknown as typeof fetch;
    expect(await fetchKeys({ surface: "checkout", orderId: "1", reveal: false, token: async () => "t", fetch: missing })).toEqual({ kind: "not_found" });
  });
});
