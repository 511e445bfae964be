// An upload's bytes in R2: one WebP per width, made once by the Images binding when it is uploaded (Cloudflare
// Images when deployed; Miniflare's local one, on sharp, under `npm start` and the tests). The original is never
// kept, so nothing the camera wrote (GPS position, device, names) is stored or served: WebP output carries no
// metadata. Design: docs/guides/media.md.
import { MEDIA_WIDTHS, type MediaWidth } from "#shared/media.ts";

/** A variant never changes once written (a new image is a new id): cache it everywhere, for a year. */
export const IMMUTABLE = "public, max-age=31536000, immutable";

export const variantKey = (id: string, width: MediaWidth) => `media/${id}/${width}.webp`;

const streamOf = (bytes: Uint8Array) => new Blob([bytes]).stream();

/** One width of `bytes`, never enlarged, as WebP. */
async function resized(env: Env, bytes: Uint8Array, width: MediaWidth): Promise<Uint8Array> {
  const result = await env.IMAGES.input(streamOf(bytes))
    .transform({ width, fit: "scale-down" })
    .output({ format: "image/webp", quality: 82 });
  // R2 needs a body of known length: the encoded variant is small (tens of kB), read it whole.
  return new Uint8Array(await result.response().arrayBuffer());
}

/**
 * Each width, never enlarged past the original, encoded as WebP and stored; resolves when all are in R2. The
 * original (up to 40 megapixels) is decoded once, for the largest width; the smaller ones are made from that.
 */
export async function storeVariants(env: Env, id: string, bytes: Uint8Array): Promise<void> {
  const [largest, ...smaller] = [...MEDIA_WIDTHS].sort((a, b) => b - a) as MediaWidth[];
  if (largest === undefined) return;
  const top = await resized(env, bytes, largest);
  const variants = await Promise.all(smaller.map(async (width) => [width, await resized(env, top, width)] as const));
  await Promise.all(
    [[largest, top] as const, ...variants].map(([width, webp]) =>
      env.MEDIA.put(variantKey(id, width), webp, {
        httpMetadata: { contentType: "image/webp", cacheControl: IMMUTABLE },
      }),
    ),
  );
}

export async function removeVariants(env: Env, ids: string[]): Promise<void> {
  const keys = ids.flatMap((id) => MEDIA_WIDTHS.map((width) => variantKey(id, width)));
  // R2 deletes up to 1,000 keys a call.
  for (let i = 0; i < keys.length; i += 1000) await env.MEDIA.delete(keys.slice(i, i + 1000));
}

/** The image's size in pixels, or null when the bytes do not decode as an image. */
export async function imageSize(env: Env, bytes: Uint8Array): Promise<{ width: number; height: number } | null> {
  try {
    const info = await env.IMAGES.info(streamOf(bytes));
    return "width" in info ? { width: info.width, height: info.height } : null;
  } catch {
    return null;
  }
}
