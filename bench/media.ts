// `npm run bench -- media`: what an upload costs. POST /v1/uploads of a phone-sized photo (3024×4032 JPEG, four
// WebP widths made by the Images binding: Miniflare's, on sharp, under `npm start`) and of a small one (480×640),
// one client at a time, beside a JSON write of the same caller through the same gateway (POST /v1/products) in the
// same run; then a variant read, cold (R2) and warm (the edge cache), beside GET /health.
import { getOk, withPlatform } from "./platform.ts";
import { measure, type Row, summarise, table } from "./stats.ts";

const uploads = Number(process.env.BENCH_MEDIA_UPLOADS ?? 12);

async function photo(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  const { default: sharp } = await import("sharp");
  // Noise compresses like a real photo (a flat colour would be a few kB and flatter the figures).
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  return new Uint8Array(
    await sharp(raw, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 85 })
      .toBuffer(),
  );
}

export async function benchMedia(): Promise<string> {
  return withPlatform("media", async (platform) => {
    const key = platform.credentials.merchants[0]?.secretKey ?? "";
    const auth = { authorization: `Bearer ${key}` };
    const post = async (path: string, body: BodyInit, type: string) => {
      const res = await fetch(`${platform.gatewayUrl}${path}`, {
        method: "POST",
        headers: { ...auth, "content-type": type },
        body,
      });
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string; url: string; bytes: number };
    };
    const product = JSON.stringify({
      title: "bench",
      skus: [{ options: { size: "1" }, price: { amount: 100, currency: "CNY" } }],
    });
    const [large, small] = [await photo(3024, 4032), await photo(480, 640)];
    const rows: { row: Row; baseline: Row }[] = [];
    const write = summarise(
      await measure("POST /v1/products (JSON, baseline)", 1, uploads, () =>
        post("/v1/products", product, "application/json"),
      ),
    );
    let last = { id: "", url: "", bytes: 0 };
    for (const [name, image] of [
      [`POST /v1/uploads 3024×4032 JPEG (${(large.length / 1e6).toFixed(1)} MB)`, large],
      [`POST /v1/uploads 480×640 JPEG (${(small.length / 1e3).toFixed(0)} kB)`, small],
    ] as const) {
      const row = summarise(
        await measure(name, 1, uploads, async () => {
          last = await post("/v1/uploads", image, "image/jpeg");
        }),
      );
      rows.push({ row, baseline: write });
    }
    const health = summarise(await measure("GET /health", 8, 400, () => getOk(`${platform.gatewayUrl}/health`)));
    const variant = `${platform.gatewayUrl}${new URL(last.url).pathname.replace(/\/960$/, "/480")}`;
    const cold = summarise(await measure("GET /media/{id}/480 (first read: R2)", 1, 1, () => getOk(variant)));
    const warm = summarise(await measure("GET /media/{id}/480 (edge cache)", 8, 400, () => getOk(variant)));
    rows.push({ row: cold, baseline: health }, { row: warm, baseline: health });
    const per = (rows[0]?.row.p50 ?? 0) - write.p50;
    return [
      "## media: uploads and image reads through the gateway",
      "",
      `${uploads} uploads per size from one client against \`npm start\`'s stack; each upload is sniffed, its size read from its header, and stored at 240, 480, 960 and 1600 px as WebP in R2 (the original decoded once, for 1600 px; the smaller widths made from that). Baseline for uploads: a product created with the same key in the same run; for reads: \`GET /health\`. A 12-megapixel photo's upload costs about ${per.toFixed(0)} ms more than the JSON write at p50 on this machine (Miniflare's Images binding on sharp, in the same process as every Worker; Cloudflare Images does the work off the Worker when deployed). The photo is noise, which compresses worst: a real one is a third of its bytes.`,
      "",
      table(rows),
    ].join("\n");
  });
}
