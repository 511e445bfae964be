// Once per test run: the browser the end-to-end tests drive, from the npm registry alone. @sparticuz/chromium ships a
// headless Chromium inside the package; Noto Sans SC (@fontsource) gives it Chinese glyphs through a fontconfig file
// of our own, so the screenshots render Chinese on a machine with no system fonts. Both unpack once into
// node_modules/.cache/ and are reused by later runs.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { inflateSync } from "node:zlib";
import chromium from "@sparticuz/chromium";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    chromiumPath: string;
    chromiumArgs: string[];
    fontconfigFile: string;
  }
}

const require = createRequire(import.meta.url);
const cacheDir = path.resolve("node_modules/.cache/zhongcao-browser");

/**
 * The TrueType font inside a WOFF 1.0 file: each table inflated as stored, a new table directory
 * (https://www.w3.org/TR/WOFF/). Chromium reads system fonts through FreeType, which takes TrueType but not WOFF.
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString("latin1", 0, 4) !== "wOFF") throw new Error("not a WOFF 1.0 file");
  const numTables = woff.readUInt16BE(12);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const entry = 44 + i * 20;
    const offset = woff.readUInt32BE(entry + 4);
    const compLength = woff.readUInt32BE(entry + 8);
    const origLength = woff.readUInt32BE(entry + 12);
    const stored = woff.subarray(offset, offset + compLength);
    return {
      tag: woff.readUInt32BE(entry),
      checksum: woff.readUInt32BE(entry + 16),
      data: compLength < origLength ? inflateSync(stored) : stored,
    };
  });
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const header = Buffer.alloc(12 + 16 * numTables);
  header.writeUInt32BE(woff.readUInt32BE(4), 0); // the sfnt flavor
  header.writeUInt16BE(numTables, 4);
  header.writeUInt16BE(searchRange, 6);
  header.writeUInt16BE(entrySelector, 8);
  header.writeUInt16BE(numTables * 16 - searchRange, 10);
  const parts = [header];
  let offset = header.length;
  tables.forEach((table, i) => {
    header.writeUInt32BE(table.tag, 12 + i * 16);
    header.writeUInt32BE(table.checksum, 12 + i * 16 + 4);
    header.writeUInt32BE(offset, 12 + i * 16 + 8);
    header.writeUInt32BE(table.data.length, 12 + i * 16 + 12);
    const padded = Buffer.alloc((table.data.length + 3) & ~3);
    table.data.copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  return Buffer.concat(parts);
}

/** Noto Sans SC, regular and bold, as TrueType files in a folder, and a fontconfig file that adds it. */
async function chineseFonts(): Promise<string> {
  const fontsDir = path.join(cacheDir, "fonts");
  const configFile = path.join(cacheDir, "fonts.conf");
  if (!existsSync(configFile)) {
    const source = path.join(path.dirname(require.resolve("@fontsource/noto-sans-sc/package.json")), "files");
    await mkdir(fontsDir, { recursive: true });
    for (const name of await readdir(source)) {
      if (!/-(400|700)-normal\.woff$/.test(name)) continue;
      const ttf = woffToSfnt(await readFile(path.join(source, name)));
      await writeFile(path.join(fontsDir, name.replace(/\.woff$/, ".ttf")), ttf);
    }
    // The machine's own fonts stay in the list when it has any; ours are enough when it has none.
    const config = `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${fontsDir}</dir>
  <cachedir>${path.join(cacheDir, "fontconfig-cache")}</cachedir>
</fontconfig>
`;
    await writeFile(`${configFile}.tmp`, config);
    await rename(`${configFile}.tmp`, configFile);
  }
  return configFile;
}

/** The Chromium binary, unpacked from the package into the cache folder (the package unpacks into os.tmpdir()). */
async function chromiumBinary(): Promise<string> {
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
  const [chromiumPath, fontconfigFile] = await Promise.all([chromiumBinary(), chineseFonts()]);
  project.provide("chromiumPath", chromiumPath);
  // The package's flags are made for one-shot serverless use: one process for the whole browser is not for a test
  // that opens several pages at once.
  project.provide(
    "chromiumArgs",
    chromium.args.filter((arg) => arg !== "--single-process"),
  );
  project.provide("fontconfigFile", fontconfigFile);
}
