import fs from "node:fs";
import path from "node:path";
import { once } from "node:events";

/**
 * The benchmark's input: `code,pin` with a header, one key per line, streamed to disk (never
 * built in memory). Codes look like supplier codes, `ABCDE-12345-FGHIJ-67890-KLMNO` (letter and
 * digit groups alternating), and are unique by construction: the first group is an affine
 * bijection of the line index onto 26^5 values; the other groups and the 4–8 digit PIN come from
 * a seeded PRNG, so the same N always gives the same file.
 */

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const SPACE = 26 ** 5; // 11,881,376 distinct first groups
const MULT = 7_368_787; // prime, coprime with 26 = 2·13: i ↦ (i·MULT + OFFSET) mod SPACE is a bijection
const OFFSET = 1_234_567;
export const MAX_LINES = SPACE;

export interface CsvFileInfo {
  file: string;
  lines: number;
  bytes: number;
  reused: boolean;
  seconds: number;
}

/** Returns the file for `lines` keys, generating it unless a complete one is already there. */
export async function ensureCsv(outDir: string, lines: number): Promise<CsvFileInfo> {
  if (!Number.isInteger(lines) || lines < 1 || lines > MAX_LINES) throw new RangeError(`--lines must be 1..${MAX_LINES}`);
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `keys-${lines}.csv`);
  const metaFile = `${file}.json`;
  try {
    const meta = JSON.parse(fs.readFileSync(metaFile, "utf8")) as { lines: number; bytes: number };
    if (meta.lines === lines && fs.statSync(file).size === meta.bytes) return { file, lines, bytes: meta.bytes, reused: true, seconds: 0 };
  } catch {
    // absent or incomplete: generate
  }
  const started = performance.now();
  fs.rmSync(metaFile, { force: true });
  const tmp = `${file}.partial`;
  const out = fs.createWriteStream(tmp);
  let bytes = 0;
  const write = async (s: string) => {
    bytes += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, "drain");
  };
  await write("code,pin\n");
  const rnd = prng(0x6b657972 ^ lines);
  const BATCH = 10_000;
  for (let start = 0; start < lines; start += BATCH) {
    let text = "";
    const end = Math.min(lines, start + BATCH);
    for (let i = start; i < end; i++) text += `${code(i, rnd)},${pin(rnd)}\n`;
    await write(text);
  }
  out.end();
  await once(out, "finish");
  fs.renameSync(tmp, file);
  fs.writeFileSync(metaFile, JSON.stringify({ lines, bytes }));
  return { file, lines, bytes, reused: false, seconds: (performance.now() - started) / 1000 };
}

function code(i: number, rnd: () => number): string {
  let v = (i * MULT + OFFSET) % SPACE; // < 2^53: exact
  let first = "";
  for (let k = 0; k < 5; k++) {
    first = LETTERS[v % 26] + first;
    v = Math.floor(v / 26);
  }
  const group = (alphabet: string) => {
    let g = "";
    for (let k = 0; k < 5; k++) g += alphabet[Math.floor(rnd() * alphabet.length)];
    return g;
  };
  return `${first}-${group(DIGITS)}-${group(LETTERS)}-${group(DIGITS)}-${group(LETTERS)}`;
}

function pin(rnd: () => number): string {
  const len = 4 + Math.floor(rnd() * 5); // 4..8 digits
  let p = "";
  for (let k = 0; k < len; k++) p += DIGITS[Math.floor(rnd() * 10)];
  return p;
}

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
