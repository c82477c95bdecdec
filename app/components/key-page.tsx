import type { ReactNode } from "react";
import type { BuyerKeyLine } from "../.server/use-cases/show-buyer-keys.ts";

/**
 * The buyer's key page as plain server-rendered HTML: no React in the browser, no inline script or
 * style (the page's Content-Security-Policy allows only same-origin files). It works without
 * JavaScript — codes are selectable text and "show keys" is a form post; /key-page.js only adds
 * the copy buttons, which stay hidden without it.
 */

export type Translate = (key: string, vars?: Record<string, string | number>) => string;

export type KeyPageState =
  | { kind: "keys"; orderName: string; shopName: string; lines: BuyerKeyLine[]; validUntil: string }
  | { kind: "pending"; orderName: string; shopName: string }
  | { kind: "message"; title: string; body: string };

export interface KeyPageProps {
  t: Translate;
  lang: string;
  state: KeyPageState;
  /** The same page in the other language (keeps the token); omitted on error pages. */
  switchHref?: string;
  /** Where "show keys" posts: this page's own URL. */
  actionHref?: string;
}

export function KeyPage({ t, lang, state, switchHref, actionHref }: KeyPageProps) {
  const title = state.kind === "message" ? state.title : state.kind === "pending" ? t("buyerPage.preparingTitle") : t("buyerPage.title");
  return (
    <html lang={lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="no-referrer" />
        {/* While keys are being prepared the page refreshes itself: no script needed. */}
        {state.kind === "pending" ? <meta httpEquiv="refresh" content="10" /> : null}
        <title>{title}</title>
        <link rel="stylesheet" href="/key-page.css" />
        {state.kind === "keys" ? <script src="/key-page.js" defer /> : null}
      </head>
      <body>
        <main className="page">
          {switchHref ? (
            <nav className="lang">
              <a href={switchHref}>{t("buyerPage.switchLanguage")}</a>
            </nav>
          ) : null}
          <h1>{title}</h1>
          {state.kind === "message" ? <p className="lead">{state.body}</p> : null}
          {state.kind === "pending" ? (
            <>
              <p className="order">{t("buyerPage.orderFrom", { order: state.orderName, shop: state.shopName })}</p>
              <p className="lead">{t("buyerPage.preparingBody")}</p>
            </>
          ) : null}
          {state.kind === "keys" ? <Keys t={t} state={state} actionHref={actionHref ?? ""} /> : null}
        </main>
      </body>
    </html>
  );
}

function Keys({ t, state, actionHref }: { t: Translate; state: Extract<KeyPageState, { kind: "keys" }>; actionHref: string }) {
  let index = 0;
  return (
    <>
      <p className="order">{t("buyerPage.orderFrom", { order: state.orderName, shop: state.shopName })}</p>
      {state.lines.map((line) => (
        <section className="line" key={line.lineId}>
          <h2>{line.title ?? t("delivery.note.product")}</h2>
          {line.keys.length > 0 ? (
            <ul className="keys">
              {line.keys.map((key) => {
                index += 1;
                const id = `key-${index}`;
                return (
                  <li className="key" key={id}>
                    <div className="key-text">
                      <code id={id} className="code">
                        {key.code}
                      </code>
                      <Fields fields={key.fields} />
                    </div>
                    <button type="button" className="copy" hidden data-copy={id} data-label={t("buyerPage.copy")} data-copied={t("buyerPage.copied")} aria-label={t("buyerPage.copyLabel", { index })}>
                      {t("buyerPage.copy")}
                    </button>
                  </li>
                );
              })}
            </ul>
          ) : null}
          {line.hiddenKeys > 0 ? (
            <form method="post" action={actionHref} className="reveal">
              <input type="hidden" name="reveal" value={line.lineId} />
              <p className="note">{t("buyerPage.revealHelp")}</p>
              <button type="submit">{t("buyerPage.reveal", { count: line.hiddenKeys })}</button>
            </form>
          ) : null}
          {line.pendingUnits > 0 ? <p className="note pending">{t("buyerPage.pending", { count: line.pendingUnits })}</p> : null}
        </section>
      ))}
      <footer className="foot">
        <p>{t("buyerPage.keepPrivate")}</p>
        <p>{t("buyerPage.validUntil", { date: state.validUntil })}</p>
      </footer>
    </>
  );
}

function Fields({ fields }: { fields: Record<string, string> }): ReactNode {
  const entries = Object.entries(fields).filter(([, v]) => v !== "");
  if (entries.length === 0) return null;
  return (
    <dl className="fields">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
