import { createContext, useContext } from "react";

/**
 * The response's Content-Security-Policy nonce, for the few <script> tags our own components
 * render (App Bridge in the embedded shell). entry.server.tsx provides it while rendering the
 * document; in the browser it is undefined (browsers hide a nonce from the DOM after parsing, and
 * React does not re-run scripts it hydrates), so such tags also say suppressHydrationWarning.
 */
export const CspNonceContext = createContext<string | undefined>(undefined);

export function useCspNonce(): string | undefined {
  return useContext(CspNonceContext);
}
