import Bowser from "bowser";

/** Longest description kept; a User-Agent is whatever the client says, of any length. */
const MAX_LENGTH = 80;

/**
 * What the sessions page calls a device: browser and major version, and the operating system
 * ("Chrome 142 · Linux", "Safari 17 · iOS"). Product names need no translation, so the text is the
 * same in every language. A client that is no browser (a script, curl) is named by its first
 * product token; nothing at all gives null (the page then says "unknown device"). Only this
 * description is stored, not the raw User-Agent.
 */
export function describeDevice(userAgent: string | null | undefined): string | null {
  // Control characters never reach a page or a terminal.
  const ua = (userAgent ?? "").replace(/[\x00-\x1f\x7f]/g, "").trim();
  if (!ua) return null;
  const parsed = Bowser.parse(ua);
  const browser = parsed.browser.name ? [parsed.browser.name, parsed.browser.version?.split(".")[0]].filter(Boolean).join(" ") : "";
  const os = parsed.os.name ?? "";
  const text = browser ? [browser, os].filter(Boolean).join(" · ") : firstProduct(ua);
  return text.slice(0, MAX_LENGTH) || null;
}

/** "curl/8.5.0 (x86_64)" → "curl 8.5.0". */
function firstProduct(ua: string): string {
  const [token] = ua.split(/\s+/);
  return token.replace("/", " ");
}
