// Uploaded images (docs/guides/media.md): what the gateway stores and serves, and how a product, SKU or note names
// one. A client sends a media id (`med_…`); the catalogue checks it is the caller's own upload, marks it attached
// (an upload never attached is removed after a day) and stores its URL, so every answer and every reader (feed,
// live shelf, search) sees a plain image URL with nothing to resolve.
import { z } from "@hono/zod-openapi";
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Database } from "./db.ts";
import { ProblemError } from "./errors.ts";
import { isId } from "./ids.ts";
import type { Actor } from "./principal.ts";
import { media } from "./schema.ts";

/** The widths every upload is stored at (WebP, never enlarged): a thumbnail, a feed cover, a page, a zoom. */
export const MEDIA_WIDTHS = [240, 480, 960, 1600] as const;
export type MediaWidth = (typeof MEDIA_WIDTHS)[number];
/** The width an image URL stored on a product, SKU or note names; a client picks another by its last segment. */
export const STORED_WIDTH: MediaWidth = 960;

/** Where a variant is served: `{MEDIA_URL}/{id}/{width}` (MEDIA_URL is the gateway's /media, or a CDN in front). */
export function mediaUrl(base: string, id: string, width: MediaWidth = STORED_WIDTH): string {
  return `${base.replace(/\/+$/, "")}/${id}/${width}`;
}

export const isMediaId = (value: string): boolean => isId("med", value);

/** An image as a product, SKU or note takes it: one of the caller's uploads by id, or an http(s) URL. */
export const ImageRefSchema = z
  .union([z.string().regex(/^med_[0-9A-Z]{26}$/, "a media id (med_…)"), z.url({ protocol: /^https?$/ }).max(2048)])
  .openapi({
    description: "The id of one of your uploads (`med_…`, POST /v1/uploads), stored as its URL; or an http(s) URL.",
    example: "med_01JDEMO0000000000000000000",
  });

export type MediaOwner = { type: "merchant" | "creator" | "shopper"; id: string };

/** A person's uploads are theirs: a note's images must be its author's. */
export function mediaOwner(person: Extract<Actor, { type: "shopper" | "creator" }>): MediaOwner {
  return person.type === "creator"
    ? { type: "creator", id: person.creatorId }
    : { type: "shopper", id: person.shopperId };
}

/** Where an input names images: a product's or note's `images`, a SKU's `image`, a live session's `coverUrl`. */
interface WithMedia {
  images?: string[] | undefined;
  image?: string | null | undefined;
  coverUrl?: string | null | undefined;
  skus?: { image?: string | null | undefined }[] | undefined;
}

/**
 * `input` as stored: each media id it names (in `images`, `image`, `coverUrl`, `skus[].image`) replaced by its URL
 * once all are known, in one round trip, to be `owner`'s uploads (and marked attached); URLs kept as they are.
 * Another owner's or an unknown id is a 400 at its own place (`/images/2`, `/skus/0/image`).
 */
export async function withMediaOf<T extends WithMedia>(
  db: Database,
  base: string,
  owner: MediaOwner,
  input: T,
): Promise<T> {
  const named: { id: string; path: string }[] = [];
  const note = (value: string | null | undefined, path: string) => {
    if (value && isMediaId(value)) named.push({ id: value, path });
  };
  input.images?.forEach((image, i) => {
    note(image, `/images/${i}`);
  });
  note(input.image, "/image");
  note(input.coverUrl, "/coverUrl");
  input.skus?.forEach((sku, i) => {
    note(sku.image, `/skus/${i}/image`);
  });
  if (named.length === 0) return input;

  const ids = [...new Set(named.map((n) => n.id))];
  const mine = and(inArray(media.id, ids), eq(media.ownerType, owner.type), eq(media.ownerId, owner.id));
  const [found] = await db.batch([
    db.select({ id: media.id }).from(media).where(mine),
    db
      .update(media)
      .set({ attachedAt: new Date().toISOString() })
      .where(and(mine, isNull(media.attachedAt))),
  ]);
  const known = new Set(found.map((r) => r.id));
  const missing = named.find((n) => !known.has(n.id));
  if (missing) {
    throw new ProblemError("validation_failed", `${missing.id} is not one of your uploads.`, {
      errors: [{ path: missing.path, message: "no upload of yours has this id (POST /v1/uploads)" }],
    });
  }
  const stored = <V extends string | null | undefined>(value: V): V =>
    (value && isMediaId(value) ? mediaUrl(base, value) : value) as V;
  return {
    ...input,
    ...(input.images ? { images: input.images.map(stored) } : {}),
    ...(input.image !== undefined ? { image: stored(input.image) } : {}),
    ...(input.coverUrl !== undefined ? { coverUrl: stored(input.coverUrl) } : {}),
    ...(input.skus ? { skus: input.skus.map((sku) => ({ ...sku, image: stored(sku.image) })) } : {}),
  };
}
