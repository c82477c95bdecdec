import { importErrors } from "./import-errors.ts";
import type { TextEncodingName } from "./types.ts";

/**
 * Which encoding a file is in, judged from its head (the first 64 KiB):
 * - a byte order mark decides (UTF-8, UTF-16 LE/BE, GB18030's own BOM) and is stripped;
 * - without one: valid UTF-8 is UTF-8, else valid GB18030 is GB18030 (saved by Chinese tools);
 * - a NUL, or bytes valid in no supported encoding, is a binary file (UTF-16 needs its BOM).
 * When the head is a sample (`isComplete` false) a multi-byte sequence cut at its end is not
 * held against it. Bytes after the head are checked while decoding (decode-text.ts).
 */
export function detectEncoding(head: Uint8Array, isComplete: boolean): { encoding: TextEncodingName; bomBytes: number } {
  const bom = byteOrderMark(head);
  if (bom) {
    checkText(decode(bom.encoding, head.subarray(bom.bytes), isComplete), bom.encoding);
    return { encoding: bom.encoding, bomBytes: bom.bytes };
  }
  if (head.indexOf(0) !== -1) throw importErrors.binaryFile();
  if (decode("utf-8", head, isComplete) !== null) return { encoding: "utf-8", bomBytes: 0 };
  if (decode("gb18030", head, isComplete) !== null) return { encoding: "gb18030", bomBytes: 0 };
  throw importErrors.binaryFile();
}

/**
 * The user's choice of encoding wins over detection; the head must still be valid in it
 * (`wrong_encoding` otherwise). A BOM of that encoding is stripped; a BOM of another encoding
 * proves the choice wrong.
 */
export function resolveEncoding(
  head: Uint8Array,
  isComplete: boolean,
  override?: TextEncodingName,
): { encoding: TextEncodingName; bomBytes: number } {
  if (override === undefined) return detectEncoding(head, isComplete);
  const bom = byteOrderMark(head);
  if (bom && bom.encoding !== override) throw importErrors.wrongEncoding(override);
  const bomBytes = bom ? bom.bytes : 0;
  const isUtf16 = override === "utf-16le" || override === "utf-16be";
  if (!isUtf16 && head.indexOf(0, bomBytes) !== -1) throw importErrors.binaryFile(); // binary before wrong
  checkText(decode(override, head.subarray(bomBytes), isComplete), override);
  return { encoding: override, bomBytes };
}

const BOMS: { encoding: TextEncodingName; bytes: number[] }[] = [
  { encoding: "utf-8", bytes: [0xef, 0xbb, 0xbf] },
  { encoding: "gb18030", bytes: [0x84, 0x31, 0x95, 0x33] },
  { encoding: "utf-16le", bytes: [0xff, 0xfe] },
  { encoding: "utf-16be", bytes: [0xfe, 0xff] },
];

export function byteOrderMark(head: Uint8Array): { encoding: TextEncodingName; bytes: number } | null {
  for (const bom of BOMS) {
    if (head.length >= bom.bytes.length && bom.bytes.every((b, i) => head[i] === b)) {
      return { encoding: bom.encoding, bytes: bom.bytes.length };
    }
  }
  return null;
}

function decode(encoding: TextEncodingName, bytes: Uint8Array, isComplete: boolean): string | null {
  try {
    // stream: a sequence cut at the end of a sample is held back, not rejected
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes, { stream: !isComplete });
  } catch {
    return null;
  }
}

/** Invalid in the encoding it must be in → wrong_encoding; a NUL character → binary. */
function checkText(text: string | null, encoding: TextEncodingName): void {
  if (text === null) throw importErrors.wrongEncoding(encoding);
  if (text.includes("\u0000")) throw importErrors.binaryFile();
}
