// Once per test run: the browser the end-to-end tests drive, from the npm registry alone. @sparticuz/chromium ships a
// headless Chromium inside the package; Noto Sans SC (@fontsource) gives it Chinese glyphs through a fontconfig file
// of our own (dev/fonts.ts), so the screenshots render Chinese on a machine with no system fonts. Both unpack once
// into node_modules/.cache/ and are reused by later runs.
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import chromium from "@sparticuz/chromium";
import type { TestProject } from "vitest/node";
import { chineseFontconfig } from "../dev/fonts.ts";

declare module "vitest" {
  export interface ProvidedContext {
    chromiumPath: string;
    chromiumArgs: string[];
    fontconfigFile: string;
  }
}

const require = createRequire(import.meta.url);
const cacheDir = path.resolve("node_modules/.cache/zhongcao-browser");

/** The Chromium binary, unpacked from the package into the cache folder (the package unpacks into os.tmpdir()). */
export async function chromiumBinary(): Promise<string> {
  const packageDir = path.join(path.dirname(require.resolve("@sparticuz/chromium")), "..");
  const { version } = JSON.parse(await readFile(path.join(packageDir, "package.json"), "utf8")) as { version: string };
  const dir = path.join(cacheDir, `chromium-${version}`);
  const done = path.join(dir, ".unpacked");
  // A run stopped while unpacking leaves a partial binary: unpack again unless the last one finished.
  if (!existsSync(done)) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const tmpdir = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    const binary = await chromium.executablePath();
    await writeFile(done, "");
    return binary;
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
  }
}

export default async function setup(project: TestProject) {
  const [chromiumPath, fontconfigFile] = await Promise.all([chromiumBinary(), chineseFontconfig()]);
  project.provide("chromiumPath", chromiumPath);
  // The package's flags are made for one-shot serverless use: one process for the whole browser is not for a test
  // that opens several pages at once.
  project.provide(
    "chromiumArgs",
    chromium.args.filter((arg) => arg !== "--single-process"),
  );
  project.provide("fontconfigFile", fontconfigFile);
}
