import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, nextCursor } from "./paid-orders-cursor.ts";

describe("reconciliation cursor", () => {
  it("starts from `since` and round-trips", () => {
    const c = decodeCursor(null, "2026-11-25T03:00:00.000Z");
    expect(c).toEqual({ after: "2026-11-25T03:00:00", page: 1 });
    expect(decodeCursor(encodeCursor({ after: "2026-11-26T00:00:00", page: 3 }), "2000-01-01T00:00:00Z")).toEqual({ after: "2026-11-26T00:00:00", page: 3 });
    expect(decodeCursor("garbage", "2026-11-25T03:00:00Z")).toEqual({ after: "2026-11-25T03:00:00", page: 1 });
  });

  it("moves the filter to one second before the newest order seen, or pages when it cannot", () => {
    const c = { after: "2026-11-25T03:00:00", page: 1 };
    expect(nextCursor(c, "2026-11-25T04:00:00")).toEqual({ after: "2026-11-25T03:59:59", page: 1 });
    // Every order on the page was modified in the first second after the filter: page on.
    expect(nextCursor(c, "2026-11-25T03:00:01")).toEqual({ after: "2026-11-25T03:00:00", page: 2 });
    expect(nextCursor({ ...c, page: 4 }, null)).toEqual({ after: "2026-11-25T03:00:00", page: 1 });
  });
});
