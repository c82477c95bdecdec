/**
 * keyrelay's part of a Shopify order note. The note is shared with the merchant (and with the
 * buyer's checkout note), so keyrelay owns exactly one delimited block in it:
 *
 *   --- keyrelay (ref <reference>) ---
 *   <delivery text>
 *   --- /keyrelay ---
 *
 * Everything outside the block is the merchant's and is kept byte for byte. The reference names
 * the delivered content, so writing the same delivery twice finds its own block and changes
 * nothing (no orderUpdate call at all), and a newer delivery replaces the block in place.
 */
const START = /^--- keyrelay(?: \(ref ([^)\n]*)\))? ---[ \t]*$/;
const END = /^--- \/keyrelay ---[ \t]*$/;

export interface NoteMerge {
  note: string;
  changed: boolean;
}

export function deliveryBlock(reference: string, text: string): string {
  return [`--- keyrelay (ref ${cleanReference(reference)}) ---`, ...safeLines(text), "--- /keyrelay ---"].join("\n");
}

/** The reference of keyrelay's block in `note`, or null when there is none. */
export function blockReference(note: string | null | undefined): string | null {
  const found = findBlocks(note ?? "");
  return found.length ? found[0].reference : null;
}

export function mergeDeliveryBlock(note: string | null | undefined, reference: string, text: string): NoteMerge {
  const current = note ?? "";
  const block = deliveryBlock(reference, text);
  const blocks = findBlocks(current);
  if (blocks.length === 1 && blocks[0].reference === cleanReference(reference)) return { note: current, changed: false };
  if (blocks.length === 0) {
    const base = current.replace(/\s+$/, "");
    return { note: base ? `${base}\n\n${block}` : block, changed: true };
  }
  // Replace the first block in place; drop any stray copies (a merchant's copy-paste, an older bug).
  const lines = current.split("\n");
  const out: string[] = [];
  let i = 0;
  for (const [n, b] of blocks.entries()) {
    out.push(...lines.slice(i, b.start));
    if (n === 0) out.push(block);
    i = b.end + 1;
  }
  out.push(...lines.slice(i));
  const merged = out.join("\n");
  return { note: merged, changed: merged !== current };
}

/**
 * Merchant-only information (a refund, a revocation) as its own line, outside keyrelay's block.
 * Appending the same text twice (a retried job) adds it once.
 */
export function appendNoteLine(note: string | null | undefined, text: string): NoteMerge {
  const current = note ?? "";
  const line = safeLines(text).join(" ").trim();
  if (!line) return { note: current, changed: false };
  if (current.split("\n").some((l) => l.trim() === line)) return { note: current, changed: false };
  const base = current.replace(/\s+$/, "");
  return { note: base ? `${base}\n${line}` : line, changed: true };
}

interface Block {
  start: number;
  end: number;
  reference: string | null;
}

function findBlocks(note: string): Block[] {
  const lines = note.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = START.exec(lines[i]);
    if (!m) continue;
    let end = lines.length - 1; // an end marker the merchant deleted: the block runs to the end
    for (let j = i + 1; j < lines.length; j++) {
      if (END.test(lines[j])) {
        end = j;
        break;
      }
      if (START.test(lines[j])) {
        end = j - 1;
        break;
      }
    }
    blocks.push({ start: i, end, reference: m[1] ?? null });
    i = end;
  }
  return blocks;
}

/** A delivery text that contained our marker lines would break the block on the next read. */
function safeLines(text: string): string[] {
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => (START.test(l) || END.test(l) ? l.replace(/^---/, "- - -") : l));
}

function cleanReference(reference: string): string {
  return reference.replace(/[()\n\r]/g, "").trim();
}
