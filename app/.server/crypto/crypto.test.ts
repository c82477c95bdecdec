import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Fingerprinter, referenceFingerprint } from "./fingerprint.ts";
import { KeyCipher, masterKeyId } from "./key-cipher.ts";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "./password.ts";
import { loadOrCreateSecretFile } from "./secret-file.ts";

const k1 = Buffer.alloc(32, 1);
const k2 = Buffer.alloc(32, 2);

describe("KeyCipher", () => {
  it("round-trips with a random nonce and the key id", () => {
    const c = new KeyCipher(k1);
    const a = c.seal("ABCDE-12345", "acct");
    const b = c.seal("ABCDE-12345", "acct");
    expect(a.keyId).toBe(masterKeyId(k1));
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.ciphertext.includes(Buffer.from("ABCDE"))).toBe(false);
    expect(c.openString(a, "acct")).toBe("ABCDE-12345");
  });

  it("rejects tampering and a wrong context", () => {
    const c = new KeyCipher(k1);
    const s = c.seal("secret", "acct-a");
    expect(() => c.open(s, "acct-b")).toThrow();
    const bad = Buffer.from(s.ciphertext);
    bad[14] ^= 1;
    expect(() => c.open({ ...s, ciphertext: bad }, "acct-a")).toThrow();
  });

  it("opens values sealed under an older master key after rotation", () => {
    const old = new KeyCipher(k1).seal("v");
    const rotated = new KeyCipher(k2, [k1]);
    expect(rotated.currentKeyId).toBe(masterKeyId(k2));
    expect(rotated.openString(old)).toBe("v");
    expect(() => new KeyCipher(k2).open(old)).toThrow(/not loaded/);
  });
});

describe("Fingerprinter", () => {
  it("is deterministic per master key and differs across keys", () => {
    expect(new Fingerprinter(k1).fingerprint("X").equals(new Fingerprinter(k1).fingerprint("X"))).toBe(true);
    expect(new Fingerprinter(k1).fingerprint("X").equals(new Fingerprinter(k2).fingerprint("X"))).toBe(false);
    expect(new Fingerprinter(k1).fingerprint("X").equals(new Fingerprinter(k1).fingerprint("x"))).toBe(false);
  });

  it("equals crypto.createHmac for short, long and non-ASCII codes", () => {
    const f = new Fingerprinter(k1);
    for (const code of ["", "A", "ABCDE-12345-FGHIJ-67890-KLMNO", "卡密-一二三四", "x".repeat(5000)]) {
      expect(f.fingerprint(code).equals(referenceFingerprint(k1, code))).toBe(true);
    }
  });
});

describe("passwords", () => {
  it("verifies the right password only", async () => {
    const h = await hashPassword("correct horse battery");
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword("correct horse battery", h)).toBe(true);
    expect(await verifyPassword("wrong", h)).toBe(false);
    expect(await verifyPassword("anything", DUMMY_PASSWORD_HASH)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });
});

describe("secret files", () => {
  it("creates a 0600 secret once and reads the same one back", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kr-secret-"));
    const file = path.join(dir, "sub", "master.key");
    const a = loadOrCreateSecretFile(file, 32);
    const b = loadOrCreateSecretFile(file, 32);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(a.secret.equals(b.secret)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    fs.writeFileSync(file, "bad");
    expect(() => loadOrCreateSecretFile(file, 32)).toThrow(/32-byte/);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["master.key"]); // no temp files left behind
  });

  it("tightens a secret file readable by others back to 0600", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kr-secret-"));
    const file = path.join(dir, "session.secret");
    const { secret } = loadOrCreateSecretFile(file, 32);
    fs.chmodSync(file, 0o644);
    expect(loadOrCreateSecretFile(file, 32).secret.equals(secret)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it("a process arriving while another is creating the file gets the finished secret, never a partial one", async () => {
    const { vi } = await import("vitest");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kr-secret-"));
    const file = path.join(dir, "master.key");
    // Right after the first file is opened for writing, "another process" runs the whole thing.
    const realOpen = fs.openSync;
    let armed = true;
    let other: { secret: Buffer } | unknown;
    const spy = vi.spyOn(fs, "openSync").mockImplementation(((...args: Parameters<typeof fs.openSync>) => {
      const fd = realOpen(...args);
      if (armed && args[1] !== "r") {
        armed = false;
        try {
          other = loadOrCreateSecretFile(file, 32);
        } catch (e) {
          other = e;
        }
      }
      return fd;
    }) as typeof fs.openSync);
    let mine;
    try {
      mine = loadOrCreateSecretFile(file, 32);
    } finally {
      spy.mockRestore();
    }
    expect(armed).toBe(false);
    expect(other).not.toBeInstanceOf(Error);
    expect((other as { secret: Buffer }).secret.equals(mine.secret)).toBe(true);
    expect(Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64").equals(mine.secret)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(["master.key"]);
  });

  it("gives every one of several processes starting at once the same secret", async () => {
    // Imported here so this block stays self-contained.
    const { spawn } = await import("node:child_process");
    const { pathToFileURL } = await import("node:url");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kr-secret-race-"));
    const script = path.join(dir, "race.mts");
    const moduleUrl = pathToFileURL(path.resolve(import.meta.dirname, "secret-file.ts")).href;
    fs.writeFileSync(
      script,
      [
        `import { loadOrCreateSecretFile } from ${JSON.stringify(moduleUrl)};`,
        `const [file, startAt] = process.argv.slice(2);`,
        `while (performance.timeOrigin + performance.now() < Number(startAt)) {}`, // all start together
        `const r = loadOrCreateSecretFile(file, 32);`,
        `console.log(JSON.stringify({ secret: r.secret.toString("base64"), created: r.created }));`,
      ].join("\n"),
    );
    const run = (file: string, startAt: number) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [script, file, String(startAt)], { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, stderr }));
      });
    for (let round = 0; round < 3; round++) {
      const file = path.join(dir, `round-${round}`, "master.key");
      const startAt = Date.now() + 700;
      const results = await Promise.all(Array.from({ length: 8 }, () => run(file, startAt)));
      for (const r of results) expect(r, r.stderr).toMatchObject({ status: 0, stderr: "" });
      const outputs = results.map((r) => JSON.parse(r.stdout) as { secret: string; created: boolean });
      expect(new Set(outputs.map((o) => o.secret)).size).toBe(1);
      expect(outputs.filter((o) => o.created).length).toBe(1);
      expect(Buffer.from(outputs[0].secret, "base64").equals(Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64"))).toBe(true);
      expect(fs.readdirSync(path.dirname(file))).toEqual(["master.key"]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});
