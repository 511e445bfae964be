// The storefront (/) and merchant (/merchant) pages' scripts and the live room's video player: TypeScript in workers/gateway/src/pages/browser/,
// bundled for the browser with esbuild (wrangler's own) into workers/gateway/pages-dist/, which the gateway imports
// as text (wrangler.toml [[rules]]) and serves itself. Run by wrangler before every dev and deploy ([build] in
// wrangler.toml), and by the test setup; it takes well under a second.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const source = path.join(root, "workers/gateway/src/pages/browser");
export const pagesOutdir = path.join(root, "workers/gateway/pages-dist");

export async function buildPages(): Promise<void> {
  await build({
    // live-video.ts is the livekit-client SDK: its own file, which the storefront imports only in a live room.
    entryPoints: ["storefront.ts", "merchant.ts", "live-video.ts"].map((entry) => path.join(source, entry)),
    outdir: pagesOutdir,
    entryNames: "[name].page",
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    legalComments: "none",
    logLevel: "warning",
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildPages();
