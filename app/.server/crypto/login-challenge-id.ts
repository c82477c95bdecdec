import crypto from "node:crypto";

/** The id of a pending sign-in's second step (the browser's cookie holds it; the row its hash). */
export function newChallengeId(): { id: string; hash: string } {
  const id = crypto.randomBytes(32).toString("base64url");
  return { id, hash: hashChallengeId(id) };
}

export function hashChallengeId(id: string): string {
  return crypto.createHash("sha256").update(`keyrelay sign-in challenge v1\n${id}`).digest("hex");
}
