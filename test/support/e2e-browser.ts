import { chromium, type Browser, type Page } from "playwright-core";

/**
 * Debian's Chromium, headless, with the background traffic this offline machine would refuse
 * (update checks, sync, QUIC) switched off.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
  });
}

/** The admin page has hydrated (React Router's data router exists) and the network is quiet. */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => Boolean((window as { __reactRouterDataRouter?: unknown }).__reactRouterDataRouter), undefined, { polling: 100 });
  await page.waitForLoadState("networkidle");
}

/** Hydrated, scrolled to the top and done animating: ready for a screenshot. */
export async function settled(page: Page): Promise<void> {
  await hydrated(page);
  // A full-page screenshot of a scrolled page draws Polaris's fixed top bar mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"), undefined, { polling: 100 });
}
