// Uploads and media: the type is read from the bytes, the size and pixel count are bounded, nothing the camera
// wrote survives, every width is served with an ETag and a 304, only the uploader can attach an upload, and one
// nothing named within a day is removed.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "#shared/db.ts";
import { media } from "#shared/schema.ts";
import { removeUnattached } from "../../../workers/gateway/src/media/cleanup.ts";
import { containsBytes, exifSegment, png, pngClaiming } from "../../png.ts";
import {
  bearer,
  call,
  expectProblem,
  type KeyWithSecret,
  onboardMerchant,
  openShopperSession,
  post,
} from "./helpers.ts";

interface Media {
  id: string;
  type: string;
  width: number;
  height: number;
  bytes: number;
  url: string;
  variants: { width: number; url: string }[];
  attached: boolean;
}

const upload = (secret: string, body: Uint8Array, contentType = "image/png", headers: Record<string, string> = {}) =>
  call("/v1/uploads", {
    method: "POST",
    body,
    headers: { ...bearer(secret), "content-type": contentType, ...headers },
  });

async function uploaded(secret: string, body: Uint8Array, contentType?: string): Promise<Media> {
  const res = await upload(secret, body, contentType);
  expect(res.status).toBe(201);
  return res.json<Media>();
}

/** The path of a media URL (the gateway serves it whatever host MEDIA_URL names). */
const pathOf = (url: string) => new URL(url).pathname;

const product = (images: string[]) => ({
  title: "有图的商品",
  status: "active",
  images,
  skus: [{ options: { size: "1" }, price: { amount: 100, currency: "CNY" }, stock: 1 }],
});

describe("POST /v1/uploads", () => {
  it("stores an image at every width as WebP, whatever the client calls it, and serves each with an ETag", async () => {
    const { secretKey } = await onboardMerchant();
    const image = await uploaded(secretKey.key, await png(1200, 800), "image/jpeg");
    expect(image).toMatchObject({ type: "image/png", width: 1200, height: 800, attached: false });
    expect(image.variants.map((v) => v.width)).toEqual([240, 480, 960, 1600]);
    expect(image.url).toBe(image.variants[2]?.url);

    for (const variant of image.variants) {
      const res = await call(pathOf(variant.url));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/webp");
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(new TextDecoder().decode(bytes.subarray(8, 12))).toBe("WEBP");
      const info = await env.IMAGES.info(new Blob([bytes]).stream());
      // Never enlarged: the 1600 px width of a 1200 px image is the image itself.
      expect(info).toMatchObject({ width: Math.min(variant.width, 1200) });

      const etag = res.headers.get("etag");
      expect(etag).toBeTruthy();
      const again = await call(pathOf(variant.url), { headers: { "if-none-match": etag ?? "" } });
      expect(again.status).toBe(304);
      expect(again.headers.get("etag")).toBe(etag);
    }
  });

  it("reads the type from the bytes: text, a GIF and a PNG that does not decode are 415", async () => {
    const { secretKey } = await onboardMerchant();
    await expectProblem(
      await upload(secretKey.key, new TextEncoder().encode("not an image"), "image/png"),
      415,
      "unsupported_media_type",
    );
    const gif = new TextEncoder().encode("GIF89a\x01\x00\x01\x00\x00\x00\x00;");
    await expectProblem(await upload(secretKey.key, gif, "image/gif"), 415, "unsupported_media_type");
    const broken = (await png(10, 10)).subarray(0, 40);
    const problem = await expectProblem(await upload(secretKey.key, broken), 415, "unsupported_media_type");
    expect(problem.errors).toEqual([{ path: "/body", message: expect.stringContaining("does not decode") }]);
    await expectProblem(await upload(secretKey.key, new Uint8Array()), 400, "validation_failed");
  });

  it("refuses more than 10 MB (413) and more pixels than it will decode (400)", async () => {
    const { secretKey } = await onboardMerchant();
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    big.set(await png(1, 1));
    await expectProblem(await upload(secretKey.key, big), 413, "payload_too_large");
    // Headers that claim too many pixels (a side past 12,000, or past 40 megapixels) are refused before decoding.
    for (const [width, height] of [
      [15_000, 100],
      [7_000, 7_000],
    ] as const) {
      const bomb = await expectProblem(
        await upload(secretKey.key, await pngClaiming(width, height)),
        400,
        "validation_failed",
      );
      expect(bomb.errors).toEqual([{ path: "/body", message: expect.stringContaining(`${width}×${height}`) }]);
    }
  });

  it("keeps none of the camera's metadata (GPS, description)", async () => {
    const { secretKey } = await onboardMerchant();
    const result = await env.IMAGES.input(new Blob([await png(640, 480)]).stream()).output({ format: "image/jpeg" });
    const jpeg = new Uint8Array(await result.response().arrayBuffer());
    const marker = "zhongcao-home-address-31.2304N-121.4737E";
    const withExif = new Uint8Array([...jpeg.subarray(0, 2), ...exifSegment(marker), ...jpeg.subarray(2)]);
    expect(containsBytes(withExif, marker)).toBe(true);

    const image = await uploaded(secretKey.key, withExif);
    expect(image.type).toBe("image/jpeg");
    for (const variant of image.variants) {
      const bytes = new Uint8Array(await (await call(pathOf(variant.url))).arrayBuffer());
      expect(containsBytes(bytes, marker)).toBe(false);
      expect(containsBytes(bytes, "Exif")).toBe(false);
    }
  });

  it("needs a merchant key with catalog:write or a signed-in person: anonymous 401, narrow key 403, guest 403", async () => {
    const merchant = await onboardMerchant();
    const image = await png(8, 8);
    await expectProblem(
      await call("/v1/uploads", { method: "POST", body: image, headers: { "content-type": "image/png" } }),
      401,
      "unauthorized",
    );
    const narrow = await call(
      "/v1/api-keys",
      post({ kind: "secret", scopes: ["orders:read"] }, bearer(merchant.secretKey.key)),
    );
    const narrowKey = await narrow.json<KeyWithSecret>();
    await expectProblem(await upload(narrowKey.key, image), 403, "forbidden");
    const { accessToken } = await openShopperSession(merchant.publishableKey.key);
    await expectProblem(await upload(accessToken, image), 403, "forbidden");
  });

  it("replays a retried upload with the same Idempotency-Key, and refuses the key for other bytes", async () => {
    const { secretKey } = await onboardMerchant();
    const key = { "idempotency-key": crypto.randomUUID() };
    const first = await upload(secretKey.key, await png(20, 20), "image/png", key);
    const retry = await upload(secretKey.key, await png(20, 20), "image/png", key);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect((await retry.json<Media>()).id).toBe((await first.json<Media>()).id);
    const other = await upload(secretKey.key, await png(20, 21), "image/png", key);
    await expectProblem(other, 422, "idempotency_key_reused");
  });
});

describe("attaching uploads", () => {
  it("a product names its merchant's upload by id and stores its URL; another merchant's upload is a 400", async () => {
    const a = await onboardMerchant();
    const b = await onboardMerchant();
    const image = await uploaded(a.secretKey.key, await png(300, 300));

    const stolen = await call("/v1/products", post(product([image.id]), bearer(b.secretKey.key)));
    const problem = await expectProblem(stolen, 400, "validation_failed");
    expect(problem.errors).toEqual([{ path: "/images/0", message: expect.any(String) }]);

    const res = await call(
      "/v1/products",
      post(product(["https://cdn.example.com/a.jpg", image.id]), bearer(a.secretKey.key)),
    );
    expect(res.status).toBe(201);
    const created = await res.json<{ id: string; images: string[] }>();
    expect(created.images).toEqual(["https://cdn.example.com/a.jpg", image.url]);

    const read = await call(`/v1/uploads/${image.id}`, { headers: bearer(a.secretKey.key) });
    expect(await read.json<Media>()).toMatchObject({ id: image.id, attached: true });
    await expectProblem(await call(`/v1/uploads/${image.id}`, { headers: bearer(b.secretKey.key) }), 404, "not_found");
  });

  it("a SKU takes its merchant's upload as its picture, on create, on a new SKU and on PATCH; another's is a 400 there", async () => {
    const a = await onboardMerchant();
    const b = await onboardMerchant();
    const [red, rose, theirs] = [
      await uploaded(a.secretKey.key, await png(40, 40, () => [200, 20, 40])),
      await uploaded(a.secretKey.key, await png(40, 40, () => [220, 120, 130])),
      await uploaded(b.secretKey.key, await png(40, 40)),
    ];
    const body = product([]);
    const res = await call(
      "/v1/products",
      post({ ...body, skus: [{ ...body.skus[0], image: red.id }] }, bearer(a.secretKey.key)),
    );
    expect(res.status).toBe(201);
    const created = await res.json<{ id: string; skus: { id: string; image: string | null }[] }>();
    expect(created.skus[0]?.image).toBe(red.url);

    const added = await call(
      `/v1/products/${created.id}/skus`,
      post(
        { options: { size: "2" }, price: { amount: 100, currency: "CNY" }, image: rose.id },
        bearer(a.secretKey.key),
      ),
    );
    expect(added.status).toBe(201);
    expect((await added.json<{ image: string }>()).image).toBe(rose.url);

    const skuId = created.skus[0]?.id ?? "";
    const patch = (image: string | null) =>
      call(`/v1/skus/${skuId}`, {
        method: "PATCH",
        body: JSON.stringify({ image }),
        headers: { ...bearer(a.secretKey.key), "content-type": "application/json" },
      });
    const refused = await expectProblem(await patch(theirs.id), 400, "validation_failed");
    expect(refused.errors).toEqual([{ path: "/image", message: expect.any(String) }]);
    const cleared = await patch(null);
    expect((await cleared.json<{ image: string | null }>()).image).toBeNull();
  });

  it("removes an upload nothing named within a day, bytes and all, and keeps attached ones", async () => {
    const { secretKey } = await onboardMerchant();
    const kept = await uploaded(secretKey.key, await png(50, 50));
    const dropped = await uploaded(secretKey.key, await png(60, 60));
    expect((await call("/v1/products", post(product([kept.id]), bearer(secretKey.key)))).status).toBe(201);

    // A day and a bit later (other tests' fresh uploads are younger than the cut-off at any time this runs).
    while ((await removeUnattached(env, Date.now() + 25 * 3_600_000)) > 0) {}

    expect((await call(pathOf(dropped.url))).status).toBe(404);
    await expectProblem(await call(`/v1/uploads/${dropped.id}`, { headers: bearer(secretKey.key) }), 404, "not_found");
    expect((await call(pathOf(kept.url))).status).toBe(200);
    const rows = await database(env).select({ id: media.id }).from(media);
    expect(rows.map((r) => r.id)).toContain(kept.id);
    expect(rows.map((r) => r.id)).not.toContain(dropped.id);
  });
});
