import type { OptionValues } from "./command.ts";
import { UsageError } from "./output.ts";

/** Reads a password: all of stdin with --password-stdin, else a hidden prompt on a terminal. */
export async function readPasswordFromStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

/** With no --password-stdin there must be a terminal to ask on (checked before anything runs). */
export function requirePasswordSource(values: OptionValues): void {
  if (!values["password-stdin"] && !process.stdin.isTTY) throw new UsageError("passwordNeeded");
}

/**
 * The password a command is to set: all of stdin with --password-stdin, else typed twice at a
 * hidden prompt, so a typo cannot lock anyone out.
 */
export async function readNewPassword(values: OptionValues, prompts: { first: string; again: string }): Promise<string> {
  if (values["password-stdin"]) return readPasswordFromStdin();
  const password = await promptHidden(prompts.first);
  if ((await promptHidden(prompts.again)) !== password) throw new UsageError("passwordMismatch");
  return password;
}

export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    process.stderr.write(question);
    let value = "";
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          cleanup();
          process.stderr.write("\n");
          resolve(value);
          return;
        }
        if (ch === "\u0003") {
          cleanup();
          reject(new Error("cancelled"));
          return;
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    const cleanup = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on("data", onData);
  });
}
