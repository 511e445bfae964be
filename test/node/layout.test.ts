// The layout rules a newcomer relies on to find where a request goes: each Worker's src/ is folders per resource and
// index.ts, each path prefix is mounted once, shared code is imported by name, and a long file says why it is long.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const workers = readdirSync("workers").filter((name) => statSync(path.join("workers", name)).isDirectory());
const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" })
  .split("\n")
  .filter((file) => /\.(ts|tsx|js|mjs)$/.test(file));
const source = tracked.filter((file) => /^(workers|shared|dev|bench|test)\//.test(file));
/** Generated files: the API types and each Worker's binding types. */
const generated = (file: string) => file.endsWith("schema.d.ts") || file.endsWith("worker-configuration.d.ts");

describe("the layout", () => {
  it.each(workers)("workers/%s/src holds index.ts and folders, with at most two other files", (worker) => {
    const root = path.join("workers", worker, "src");
    const files = readdirSync(root).filter((name) => statSync(path.join(root, name)).isFile());
    expect(files).toContain("index.ts");
    expect(files.length, files.join(", ")).toBeLessThanOrEqual(3);
  });

  it.each(workers)("workers/%s mounts each path prefix once", (worker) => {
    const index = readFileSync(path.join("workers", worker, "src", "index.ts"), "utf8");
    const prefixes = [...index.matchAll(/\.route\(\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(prefixes.length).toBeGreaterThan(0);
    expect(prefixes.filter((prefix, i) => prefixes.indexOf(prefix) !== i)).toEqual([]);
  });

  it("imports shared code by name (#shared/…), never by climbing into shared/", () => {
    const climbing = source.filter((file) => /["'](\.\.\/)+shared\//.test(readFileSync(file, "utf8")));
    expect(climbing).toEqual([]);
  });

  it("has no source file over 600 lines unless its header says why (a `Length:` line)", () => {
    const long = source
      .filter((file) => !generated(file) && !file.startsWith("bench/"))
      .filter((file) => {
        const text = readFileSync(file, "utf8");
        const header = text.split("\n").slice(0, 8).join("\n");
        return text.trimEnd().split("\n").length > 600 && !/^\/\/ Length: \S/m.test(header);
      });
    expect(long).toEqual([]);
  });
});
