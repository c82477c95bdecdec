import { useEffect, useState } from "preact/hooks";
import { fetchKeys, type Surface } from "./backend.ts";
import { advance, initialState, numericOrderId, type KeyLine, type PollState } from "./key-state.ts";

export type Translate = (key: string, options?: Record<string, string | number>) => string;

export interface Host {
  surface: Surface;
  /** The order's gid as the target gives it (read during render: it is a signal). */
  orderGid: string | null | undefined;
  /** The thank-you page's order confirmation number (a guest's proof the order is theirs). */
  confirmation?: string | null;
  token: () => Promise<string>;
  t: Translate;
}

/** The block: polls keyrelay for the order's keys and shows them with copy buttons. */
export function KeyDelivery({ host }: { host: Host }) {
  const orderId = numericOrderId(host.orderGid);
  const confirmation = host.confirmation ?? undefined;
  const [state, setState] = useState<PollState>(initialState);
  const [reveal, setReveal] = useState(false);
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (!orderId) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current = initialState;
    const poll = async () => {
      const outcome = await fetchKeys({ surface: host.surface, orderId, confirmation, reveal, token: host.token });
      if (cancelled) return;
      const next = advance(current, outcome);
      current = next.state;
      setState(next.state);
      if (next.retryInMs !== null) timer = setTimeout(poll, next.retryInMs);
    };
    void poll();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [orderId, confirmation, reveal, round]);

  if (!orderId) return null;
  const { t } = host;
  const view = state.view;
  switch (view.kind) {
    case "loading":
      return (
        <s-banner tone="info" heading={t("preparing")}>
          <s-stack direction="inline" gap="small-200" alignItems="center">
            <s-spinner accessibilityLabel={t("preparing")} />
            <s-text>{t("preparingDetail")}</s-text>
          </s-stack>
        </s-banner>
      );
    case "timeout":
      return (
        <s-banner tone="info" heading={t("timeout")}>
          <s-text>{t("timeoutDetail")}</s-text>
        </s-banner>
      );
    case "error":
      return (
        <s-banner tone="warning" heading={t("error")}>
          <s-stack gap="small-200">
            <s-text>{t("errorDetail")}</s-text>
            <s-button variant="secondary" onClick={() => setRound((r) => r + 1)}>
              {t("retry")}
            </s-button>
          </s-stack>
        </s-banner>
      );
    case "backordered":
      return (
        <s-banner tone="info" heading={t("backordered")}>
          <s-stack gap="small-200">
            {view.lines.map((line, i) => (
              <s-text key={i}>
                {line.title ?? t("product")}: {t("pending", { count: line.pendingUnits })}
              </s-text>
            ))}
            <s-text>{t("backorderedDetail")}</s-text>
          </s-stack>
        </s-banner>
      );
    case "delivered":
      if (view.lines.length === 0) return null;
      return <Keys lines={view.lines} t={t} onReveal={() => setReveal(true)} />;
  }
}

function Keys({ lines, t, onReveal }: { lines: KeyLine[]; t: Translate; onReveal: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  let index = 0;
  return (
    <s-section heading={t("heading")}>
      <s-stack gap="base">
        {lines.map((line, li) => (
          <s-stack gap="small-200" key={li}>
            <s-heading>{line.title ?? t("product")}</s-heading>
            {line.keys.map((key) => {
              index += 1;
              const id = `keyrelay-key-${index}`;
              return (
                <s-box key={id} padding="small-100" border="base" borderRadius="base">
                  <s-stack direction="inline" gap="base" alignItems="center" justifyContent="space-between">
                    <s-stack gap="small-400">
                      <s-text type="strong">{key.code}</s-text>
                      {Object.entries(key.fields)
                        .filter(([, v]) => v !== "")
                        .map(([name, value]) => (
                          <s-text key={name} color="subdued">
                            {name}: {value}
                          </s-text>
                        ))}
                    </s-stack>
                    <s-clipboard-item id={id} text={key.code} onCopy={() => setCopied(id)} onCopyError={() => setFailed(true)} />
                    <s-button commandFor={id} command="--copy" variant="secondary" accessibilityLabel={t("copyKey", { index })}>
                      {copied === id ? t("copied") : t("copy")}
                    </s-button>
                  </s-stack>
                </s-box>
              );
            })}
            {line.hiddenKeys > 0 ? (
              <s-button variant="primary" onClick={onReveal}>
                {t("reveal", { count: line.hiddenKeys })}
              </s-button>
            ) : null}
            {line.pendingUnits > 0 ? <s-text color="subdued">{t("pending", { count: line.pendingUnits })}</s-text> : null}
          </s-stack>
        ))}
        {failed ? <s-text tone="critical">{t("copyFailed")}</s-text> : null}
        <s-text color="subdued">{t("keepPrivate")}</s-text>
      </s-stack>
    </s-section>
  );
}
