/** What one sealed key holds: the code and its extra fields (card number + PIN, serial + password). */
export interface KeyPayload {
  code: string;
  fields: Record<string, string>;
}

export function encodeKeyPayload(p: KeyPayload): string {
  return JSON.stringify(Object.keys(p.fields).length ? { c: p.code, f: p.fields } : { c: p.code });
}

export function decodeKeyPayload(json: string): KeyPayload {
  const v = JSON.parse(json) as { c: string; f?: Record<string, string> };
  return { code: v.c, fields: v.f ?? {} };
}
