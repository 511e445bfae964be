// Noto Sans SC (@fontsource/noto-sans-sc, from the npm registry) as TrueType files and a fontconfig file that adds
// them, so whatever draws Chinese text on this machine has glyphs even with no system fonts: the browser tests'
// Chromium, and the demo pictures `npm start` draws (dev/demo-images.ts). Made once into node_modules/.cache/.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { inflateSync } from "node:zlib";

const require = createRequire(import.meta.url);
const cacheDir = path.resolve("node_modules/.cache/zhongcao-fonts");

/**
 * The TrueType font inside a WOFF 1.0 file: each table inflated as stored, a new table directory
 * (https://www.w3.org/TR/WOFF/). FreeType, which Chromium and librsvg read fonts with, takes TrueType but not WOFF.
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

/** Noto Sans SC, regular and bold, as TrueType files in a folder; returns a fontconfig file that adds them. */
export async function chineseFontconfig(): Promise<string> {
  const fontsDir = path.join(cacheDir, "fonts");
  const configFile = path.join(cacheDir, "fonts.conf");
  if (!existsSync(configFile)) {
    const source = path.join(path.dirname(require.resolve("@fontsource/noto-sans-sc/package.json")), "files");
    await mkdir(fontsDir, { recursive: true });
    for (const name of await readdir(source)) {
      if (!/-(400|700)-normal\.woff$/.test(name)) continue;
      const ttf = woffToSfnt(await readFile(path.join(source, name)));
      // Written whole, then renamed: a process making the fonts at the same time never reads half a file.
      const file = path.join(fontsDir, name.replace(/\.woff$/, ".ttf"));
      await writeFile(`${file}.${process.pid}.tmp`, ttf);
      await rename(`${file}.${process.pid}.tmp`, file);
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
    // Written whole or not at all: a run stopped half-way makes the fonts again next time.
    await writeFile(`${configFile}.${process.pid}.tmp`, config);
    await rename(`${configFile}.${process.pid}.tmp`, configFile);
  }
  return configFile;
}
