import crypto from "node:crypto";

export function payloadHash(raw: Buffer | string): string {
  return crypto.createHash("sha256").update(raw).digest("hex");
}
