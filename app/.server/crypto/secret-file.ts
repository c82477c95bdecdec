import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Reads a secret kept in a file outside the database, creating it once (mode 0600) if absent.
 * `wx` makes the creation atomic: two processes starting together end up with the same secret.
 */
export function loadOrCreateSecretFile(file: string, bytes: number): { secret: Buffer; created: boolean } {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    const fd = fs.openSync(file, "wx", 0o600);
    const secret = crypto.randomBytes(bytes);
    fs.writeSync(fd, secret.toString("base64") + "\n");
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    return { secret, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) fs.chmodSync(file, 0o600);
  const secret = Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
  if (secret.length !== bytes) {
    throw new Error(`${file} does not hold a ${bytes}-byte base64 secret; restore it from backup or remove it only if no data was encrypted with it`);
  }
  return { secret, created: false };
}
