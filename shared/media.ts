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

/**
 * `images` as stored: each media id replaced by its URL once it is known to be `owner`'s upload (and marked
 * attached); URLs kept as they are. Another owner's or an unknown id is a 400 at `pathOf(its index)`.
 */
async function resolveImages(
  db: Database,
  base: string,
  owner: MediaOwner,
  images: readonly string[],
  pathOf: (index: number) => string,
): Promise<string[]> {
  const ids = [...new Set(images.filter(isMediaId))];
  if (ids.length === 0) return [...images];
  const mine = and(inArray(media.id, ids), eq(media.ownerType, owner.type), eq(media.ownerId, owner.id));
  const [found] = await db.batch([
    db.select({ id: media.id }).from(media).where(mine),
    db
      .update(media)
      .set({ attachedAt: new Date().toISOString() })
      .where(and(mine, isNull(media.attachedAt))),
  ]);
  const known = new Set(found.map((r) => r.id));
  const missing = images.findIndex((image) => isMediaId(image) && !known.has(image));
  if (missing >= 0) {
    throw new ProblemError("validation_failed", `${images[missing]} is not one of your uploads.`, {
      errors: [{ path: pathOf(missing), message: "no upload of yours has this id (POST /v1/uploads)" }],
    });
  }
  return images.map((image) => (isMediaId(image) ? mediaUrl(base, image) : image));
}

/** `input` with its `images` (if it has any) resolved for `owner`: what create and update handlers store. */
export async function withImagesOf<T extends { images?: string[] | undefined }>(
  db: Database,
  base: string,
  owner: MediaOwner,
  input: T,
): Promise<T> {
  if (input.images === undefined) return input;
  return { ...input, images: await resolveImages(db, base, owner, input.images, (i) => `/images/${i}`) };
}

/** `input` with its `coverUrl` (if it names an upload) resolved for `owner`: a live session's cover. */
export async function withCoverOf<T extends { coverUrl?: string | null | undefined }>(
  db: Database,
  base: string,
  owner: MediaOwner,
  input: T,
): Promise<T> {
  if (input.coverUrl === undefined || input.coverUrl === null) return input;
  const [coverUrl] = await resolveImages(db, base, owner, [input.coverUrl], () => "/coverUrl");
  return { ...input, coverUrl };
}
