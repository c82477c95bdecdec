import { describe, expect, it } from "vitest";
import { appendNoteLine, blockReference, deliveryBlock, mergeDeliveryBlock } from "./note-block.ts";

describe("mergeDeliveryBlock", () => {
  it("appends keyrelay's block after the merchant's note and keeps their text", () => {
    const r = mergeDeliveryBlock("Gift wrap please\n", "ref1", "Key: AAAA-BBBB");
    expect(r.changed).toBe(true);
    expect(r.note).toBe("Gift wrap please\n\n--- keyrelay (ref ref1) ---\nKey: AAAA-BBBB\n--- /keyrelay ---");
    expect(blockReference(r.note)).toBe("ref1");
  });

  it("writes just the block into an empty note", () => {
    expect(mergeDeliveryBlock(null, "r", "K").note).toBe(deliveryBlock("r", "K"));
  });

  it("changes nothing when the same reference is already there (a re-run)", () => {
    const once = mergeDeliveryBlock("Merchant", "ref1", "Key: A").note;
    const twice = mergeDeliveryBlock(once, "ref1", "Key: A");
    expect(twice).toEqual({ note: once, changed: false });
  });

  it("replaces its own block in place for a newer delivery, keeping text before and after", () => {
    const first = mergeDeliveryBlock("Before", "ref1", "Key: A").note + "\nAfter (merchant)";
    const r = mergeDeliveryBlock(first, "ref2", "Key: A\nKey: B");
    expect(r.changed).toBe(true);
    expect(r.note).toBe("Before\n\n--- keyrelay (ref ref2) ---\nKey: A\nKey: B\n--- /keyrelay ---\nAfter (merchant)");
    expect(r.note.match(/--- keyrelay/g)).toHaveLength(1);
  });

  it("collapses duplicated blocks into one", () => {
    const dup = `${deliveryBlock("a", "1")}\nmid\n${deliveryBlock("b", "2")}`;
    const r = mergeDeliveryBlock(dup, "c", "3");
    expect(r.note).toBe(`${deliveryBlock("c", "3")}\nmid`);
  });

  it("treats a block whose end marker the merchant deleted as running to the end", () => {
    const r = mergeDeliveryBlock("Hi\n--- keyrelay (ref a) ---\nold key", "b", "new key");
    expect(r.note).toBe(`Hi\n${deliveryBlock("b", "new key")}`);
  });

  it("neutralises marker lines inside the delivered text", () => {
    const r = mergeDeliveryBlock("", "r", "x\n--- /keyrelay ---\ny");
    expect(r.note.match(/^--- \/keyrelay ---$/gm)).toHaveLength(1);
    expect(mergeDeliveryBlock(r.note, "r", "x\n--- /keyrelay ---\ny").changed).toBe(false);
  });
});

describe("appendNoteLine", () => {
  it("adds a line once", () => {
    const a = appendNoteLine("Merchant", "keyrelay: 1 key revoked (refund)");
    expect(a).toEqual({ note: "Merchant\nkeyrelay: 1 key revoked (refund)", changed: true });
    expect(appendNoteLine(a.note, "keyrelay: 1 key revoked (refund)").changed).toBe(false);
  });

  it("keeps keyrelay's block intact when appending after it", () => {
    const note = appendNoteLine(mergeDeliveryBlock("M", "r", "K").note, "revoked").note;
    expect(blockReference(note)).toBe("r");
    expect(mergeDeliveryBlock(note, "r", "K").changed).toBe(false);
  });
});
