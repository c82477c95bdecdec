import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Reads a secret kept in a file outside the database, creating it once (mode 0600) if absent.
 *
 * The file appears complete or not at all: the secret is written and fsynced to a unique temp file
 * in the same directory, then hard-linked to its name. `link` fails with EEXIST when the name is
 * taken, so of several processes starting together exactly one wins and the others read its
 * secret; none can see a half-written file.
 */
export function loadOrCreateSecretFile(file: string, bytes: number): { secret: Buffer; created: boolean } {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(file)) {
    const secret = crypto.randomBytes(bytes);
    if (publish(file, secret.toString("base64") + "\n")) return { secret, created: true };
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) fs.chmodSync(file, 0o600);
  const secret = Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
  if (secret.length !== bytes) {
    throw new Error(`${file} does not hold a ${bytes}-byte base64 secret; restore it from backup or remove it only if no data was encrypted with it`);
  }
  return { secret, created: false };
}

/** Creates `file` holding `content` unless it already exists; false when another process was first. */
function publish(file: string, content: string): boolean {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(8).toString("hex")}.tmp`);
  let linked = false;
  try {
    const fd = fs.openSync(temp, "wx", 0o600);
    try {
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(temp, file);
      linked = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
  if (linked) fsyncDirectory(dir);
  return linked;
}

/** Makes the new name durable (Windows cannot open a directory for this; there it is skipped). */
function fsyncDirectory(dir: string): void {
  if (process.platform === "win32") return;
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
