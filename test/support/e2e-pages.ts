import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { launchChromium } from "./e2e-browser.ts";

export interface OpenPageOptions {
  /** The Accept-Language header as sent; the browser's locale is its first language. */
  acceptLanguage?: string;
  viewport?: { width: number; height: number };
  userAgent?: string;
  /** Anything else the context needs (a phone, JavaScript off); it wins over the above. */
  context?: BrowserContextOptions;
}

/**
 * One test file's Chromium: every page in a context of its own (its own cookies, language and
 * size), with what went wrong on any of them kept for the file's last check — uncaught page
 * errors, and responses of 400 and above.
 */
export class E2ePages {
  readonly pageErrors: string[] = [];
  readonly badResponses: string[] = [];
  private readonly contexts: BrowserContext[] = [];

  readonly browser: Browser;
  private readonly baseURL: string;

  private constructor(browser: Browser, baseURL: string) {
    this.browser = browser;
    this.baseURL = baseURL;
  }

  static async launch(baseURL: string): Promise<E2ePages> {
    return new E2ePages(await launchChromium(), baseURL);
  }

  async open(opts: OpenPageOptions = {}): Promise<Page> {
    const lang = opts.acceptLanguage ?? "en-US";
    const context = await this.browser.newContext({
      baseURL: this.baseURL,
      viewport: opts.viewport ?? { width: 1280, height: 800 },
      locale: lang.split(",")[0],
      extraHTTPHeaders: { "Accept-Language": lang },
      ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
      ...opts.context,
    });
    this.contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (e) => this.pageErrors.push(`${page.url()}: ${e.message}`));
    page.on("response", (r) => {
      if (r.status() >= 400) this.badResponses.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    return page;
  }

  async close(): Promise<void> {
    for (const c of this.contexts) await c.close().catch(() => {});
    await this.browser.close();
  }
}
