// The documentation cannot rot quietly: every relative link in README.md, docs/ and the other READMEs reaches a file
// of this repository (and its anchor a heading there), so does every docs/ page a code comment names, every
// operation of the API document is named in a guide, and nothing points at a file outside the repository.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { anchors } from "./markdown.ts";

const root = path.resolve(".");
const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" })
  .split("\n")
  .filter((file) => file && existsSync(file));
const pages = tracked.filter((file) => file.endsWith(".md") && !file.startsWith("migrations/"));

/** The text outside fenced code blocks and inline code, where links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

function links(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] as string);
}

describe("the documentation", () => {
  it("is there: a README of at most 250 lines, the getting-started page, conventions, guides, operations, design", () => {
    expect(readFileSync("README.md", "utf8").split("\n").length).toBeLessThanOrEqual(250);
    for (const dir of ["docs/guides", "docs/operations", "docs/design", "docs/api"]) {
      expect(pages.filter((p) => p.startsWith(`${dir}/`)).length, dir).toBeGreaterThan(0);
    }
    expect(pages).toContain("docs/getting-started.md");
    expect(pages).toContain("docs/api/conventions.md");
    expect(pages).toContain("bench/README.md");
  });

  it("links only to files of this repository that exist, and to headings that exist", () => {
    const broken: string[] = [];
    for (const page of pages) {
      const markdown = readFileSync(page, "utf8");
      for (const link of links(markdown)) {
        if (/^[a-z]+:/i.test(link)) continue; // https:, mailto:
        const [target = "", anchor] = link.split("#");
        const file = target ? path.resolve(path.dirname(page), decodeURI(target)) : path.resolve(page);
        if (!file.startsWith(`${root}${path.sep}`) && file !== root) {
          broken.push(`${page}: ${link} leaves the repository`);
        } else if (!existsSync(file)) {
          broken.push(`${page}: ${link} does not exist`);
        } else if (anchor !== undefined && file.endsWith(".md") && statSync(file).isFile()) {
          if (!anchors(readFileSync(file, "utf8")).has(anchor)) broken.push(`${page}: ${link} names no heading`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("names every operation of the API document in a guide", () => {
    const document = JSON.parse(readFileSync("shared/client/openapi.json", "utf8")) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const guides = pages
      .filter((p) => p.startsWith("docs/guides/"))
      .map((p) => readFileSync(p, "utf8"))
      .join("\n");
    const operations = Object.entries(document.paths).flatMap(([route, item]) =>
      Object.keys(item)
        .filter((method) => ["get", "post", "put", "patch", "delete"].includes(method))
        .map((method) => `${method.toUpperCase()} ${route}`),
    );
    expect(operations.length).toBeGreaterThan(100);
    expect(operations.filter((operation) => !guides.includes(operation))).toEqual([]);
  });

  it("names only files of this repository that exist, where it names a path in code", () => {
    const missing: string[] = [];
    for (const page of pages) {
      const markdown = readFileSync(page, "utf8");
      for (const [, name] of markdown.matchAll(
        /`((?:workers|shared|dev|test|bench|migrations|docs|\.ci)\/[^`\s]*)`/g,
      )) {
        const file = (name as string).replace(/[:#].*$/, "").replace(/\/$/, "");
        // A pattern or a placeholder names no one file.
        if (/[<>*{}…]/.test(file)) continue;
        if (!existsSync(file)) missing.push(`${page}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("is pointed at by code comments only where the page and its heading exist", () => {
    const broken: string[] = [];
    const code = tracked.filter((file) => /\.(ts|toml|sh)$/.test(file) && !file.startsWith("shared/client/"));
    for (const file of code) {
      for (const [, page = "", anchor] of readFileSync(file, "utf8").matchAll(
        /(?<![\w/.-])(docs\/[\w\-/]+\.md)(?:#([\w-]+))?/g,
      )) {
        if (!existsSync(page)) broken.push(`${file}: ${page} does not exist`);
        else if (anchor !== undefined && !anchors(readFileSync(page, "utf8")).has(anchor)) {
          broken.push(`${file}: ${page}#${anchor} names no heading`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("refers to no file outside the repository", () => {
    const outside = /\.\.\/shared\/(API|STYLE|DOMAIN|TOOLCHAIN)\.md|\b(API|STYLE)\.md\b|\/work\//;
    const found = tracked
      .filter((file) => /\.(ts|md|toml|json|sh)$|^\.ci\//.test(file) && !file.endsWith("package-lock.json"))
      .filter((file) => outside.test(readFileSync(file, "utf8")));
    expect(found).toEqual([]);
  });
});

describe("anchors", () => {
  it("follow GitHub's rule", () => {
    expect([
      ...anchors("# Getting started\n## 1. Start the platform\n## Auth kinds and scopes\n## Search\n## Search"),
    ]).toEqual(["getting-started", "1-start-the-platform", "auth-kinds-and-scopes", "search", "search-1"]);
  });
});
