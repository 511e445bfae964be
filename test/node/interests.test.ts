// The interest profiles' arithmetic (shared/interests.ts): the hot key the database computes in SQL (no pow() there)
// equals the TypeScript one the evaluation uses, and scaled weights order as decayed weights at any later time.
import Database from "libsql";
import { describe, expect, it } from "vitest";
import { hotKey, hotKeySql, scaledWeight, viewWeight, weightAt } from "#shared/interests.ts";

describe("interest arithmetic", () => {
  it("the SQL hot key equals hotKey, before the epoch, across years and for any counts", () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE notes (like_count INT, save_count INT, comment_count INT, created_at TEXT)");
    const insert = db.prepare("INSERT INTO notes VALUES (?, ?, ?, ?)");
    const cases = [
      [0, 0, 0, "2025-06-01T00:00:00.000Z"],
      [1, 2, 3, "2026-01-01T00:00:00.000Z"],
      [5, 0, 1, "2026-03-04T05:06:07.891Z"],
      [120, 40, 9, "2026-12-07T13:00:00.000Z"],
      [7, 7, 7, "2031-07-19T23:59:59.999Z"],
    ] as const;
    for (const c of cases) insert.run(...c);
    const rows = db.prepare(`SELECT n.*, ${hotKeySql("n")} AS hot FROM notes n`).all() as {
      like_count: number;
      save_count: number;
      comment_count: number;
      created_at: string;
      hot: number;
    }[];
    expect(rows).toHaveLength(cases.length);
    for (const r of rows) {
      const expected = hotKey(r.like_count + 2 * r.save_count + 3 * r.comment_count + 1, Date.parse(r.created_at));
      expect(r.hot / expected).toBeCloseTo(1, 9);
    }
    // Newer notes with the same engagement rank higher; 72 hours doubles the key.
    const a = hotKey(10, Date.UTC(2026, 5, 1));
    expect(hotKey(10, Date.UTC(2026, 5, 4)) / a).toBeCloseTo(2, 2);
  });

  it("scaled weights compare as decayed weights, which halve every 14 days", () => {
    const t0 = Date.UTC(2026, 10, 1);
    const old = scaledWeight(8, t0);
    const recent = scaledWeight(3, t0 + 30 * 86_400_000);
    expect(recent).toBeGreaterThan(old);
    expect(weightAt(old, t0 + 14 * 86_400_000)).toBeCloseTo(4, 9);
    expect(viewWeight(1_000)).toBeLessThan(viewWeight(undefined));
    expect(viewWeight(60_000)).toBe(2);
  });
});
