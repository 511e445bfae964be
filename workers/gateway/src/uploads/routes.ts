// POST /v1/uploads: an image from a merchant (for products and SKUs), a creator or a signed-in shopper (for their
// notes). The type is sniffed from the bytes; the image is decoded, bounded, stored at its widths as WebP with no
// metadata (media/store.ts) and answered with its id, which products, SKUs and notes then name. GET reads one back.
// Only the uploader sees an upload here; the images themselves are public at /media (docs/guides/media.md).
import { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { database } from "#shared/db.ts";
import { ProblemError } from "#shared/errors.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { newId } from "#shared/ids.ts";
import { MEDIA_WIDTHS, type MediaOwner, mediaUrl } from "#shared/media.ts";
import { created, ok } from "#shared/openapi/responses.ts";
import { retrieveRoute, route } from "#shared/openapi/routes.ts";
import { resourceFields } from "#shared/openapi/schemas.ts";
import { checkFirst, principalOf } from "#shared/principal.ts";
import { media, shoppers } from "#shared/schema.ts";
import { sniffImageType } from "../media/sniff.ts";
import { imageSize, storeVariants } from "../media/store.ts";

/** Past these an image is refused before any work: a decompression bomb is small in bytes and huge in pixels. */
export const MAX_SIDE = 12_000;
export const MAX_PIXELS = 40_000_000;

const MediaSchema = z
  .object({
    ...resourceFields("media", "med"),
    type: z.enum(["image/jpeg", "image/png", "image/webp", "image/avif"]).openapi({
      description: "What the uploaded bytes were (sniffed). Every width is served as WebP.",
    }),
    width: z.number().int(),
    height: z.number().int(),
    bytes: z.number().int().openapi({ description: "The upload's size; the original itself is not kept." }),
    url: z.string().openapi({ description: "The 960 px image, as products, SKUs and notes store it." }),
    variants: z.array(z.object({ width: z.number().int(), url: z.string() })),
    attached: z.boolean().openapi({ description: "Named by a product, SKU or note; if not within a day, removed." }),
    createdAt: z.string(),
  })
  .openapi("Media");

const imageBody = z.string().openapi({ format: "binary" });

const uploadRoute = route("POST /", "Upload an image (JPEG, PNG, WebP or AVIF, at most 10 MB)", {
  description:
    "A merchant's secret key with `catalog:write`, a creator's or a signed-in shopper's token. The body is the image's bytes; its type is read from them, whatever Content-Type says. Takes an optional Idempotency-Key. Name the answer's `id` in a product's, SKU's or note's `images` within a day, or the upload is removed.",
  request: {
    body: {
      required: true,
      content: Object.fromEntries(
        ["image/jpeg", "image/png", "image/webp", "image/avif", "application/octet-stream"].map((type) => [
          type,
          { schema: imageBody },
        ]),
      ),
    },
  },
  responses: created(MediaSchema, "The stored image and its URLs", 400, 401, 403, 413, 415),
});

const getUploadRoute = retrieveRoute(
  "med",
  "Read one of your uploads",
  ok(MediaSchema, "The upload", 400, 401, 403, 404),
  { description: "The uploader only (another caller's upload is a 404).", caller: checkFirst(uploader) },
);

const owners = new WeakMap<Context, Promise<MediaOwner>>();

/**
 * Who is uploading, as the owner the catalogue will check when an id is attached. A guest shopper may not: every
 * upload costs transformations and storage, and a guest session is free to open.
 */
function uploader(c: Context<{ Bindings: Env }>): Promise<MediaOwner> {
  // Asked by the route's caller check and again by its handler: a shopper is looked up once per request.
  let owner = owners.get(c);
  if (!owner) {
    owner = findUploader(c);
    owners.set(c, owner);
  }
  return owner;
}

async function findUploader(c: Context<{ Bindings: Env }>): Promise<MediaOwner> {
  const { actor } = principalOf(c);
  switch (actor.type) {
    case "merchant":
      if (!actor.scopes.includes("catalog:write")) {
        throw new ProblemError("forbidden", "This key lacks the scope catalog:write.");
      }
      return { type: "merchant", id: actor.merchantId };
    case "creator":
      return { type: "creator", id: actor.creatorId };
    case "shopper": {
      const shopper = await database(c.env).query.shoppers.findFirst({
        columns: { oidcIssuer: true },
        where: eq(shoppers.id, actor.shopperId),
      });
      if (!shopper || shopper.oidcIssuer === null) {
        throw new ProblemError("forbidden", "A guest cannot upload: sign the shopper in first.");
      }
      return { type: "shopper", id: actor.shopperId };
    }
    default:
      throw new ProblemError(
        "unauthorized",
        "Uploading needs a merchant's secret key, or a creator's or signed-in shopper's access token.",
      );
  }
}

type MediaRow = typeof media.$inferSelect;

function toMedia(base: string, row: MediaRow): z.infer<typeof MediaSchema> {
  return {
    id: row.id,
    object: "media",
    type: row.sourceType,
    width: row.width,
    height: row.height,
    bytes: row.sourceBytes,
    url: mediaUrl(base, row.id),
    variants: MEDIA_WIDTHS.map((width) => ({ width, url: mediaUrl(base, row.id, width) })),
    attached: row.attachedAt !== null,
    createdAt: row.createdAt,
  };
}

const refuseBody = (code: "validation_failed" | "unsupported_media_type", detail: string) =>
  new ProblemError(code, detail, { errors: [{ path: "/body", message: detail }] });

export const uploadRoutes = createRouter<{ Bindings: Env }>();

uploadRoutes.post("/", idempotency({ required: false }));
uploadRoutes.openapi(uploadRoute, async (c) => {
  const owner = await uploader(c);
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length === 0) throw refuseBody("validation_failed", "The body is empty: send the image's bytes.");
  const type = sniffImageType(bytes);
  if (!type) {
    throw refuseBody(
      "unsupported_media_type",
      "The body is not a JPEG, PNG, WebP or AVIF image (read from its bytes).",
    );
  }
  const size = await imageSize(c.env, bytes);
  if (!size) throw refuseBody("unsupported_media_type", `The body starts as ${type} but does not decode as an image.`);
  if (size.width > MAX_SIDE || size.height > MAX_SIDE || size.width * size.height > MAX_PIXELS) {
    throw refuseBody(
      "validation_failed",
      `The image is ${size.width}×${size.height}: at most ${MAX_SIDE} px a side and ${MAX_PIXELS / 1e6} megapixels.`,
    );
  }
  const id = newId("med");
  await storeVariants(c.env, id, bytes);
  const [row] = await database(c.env)
    .insert(media)
    .values({ id, ownerType: owner.type, ownerId: owner.id, sourceType: type, ...size, sourceBytes: bytes.length })
    .returning();
  if (!row) throw new Error("the upload's row was not written");
  c.header("location", `/v1/uploads/${id}`);
  return c.json(toMedia(c.env.MEDIA_URL, row), 201);
});

uploadRoutes.openapi(getUploadRoute, async (c) => {
  const owner = await uploader(c);
  const { id } = c.req.valid("param");
  const row = await database(c.env).query.media.findFirst({
    where: and(eq(media.id, id), eq(media.ownerType, owner.type), eq(media.ownerId, owner.id)),
  });
  if (!row) throw new ProblemError("not_found", `No upload ${id}.`);
  return c.json(toMedia(c.env.MEDIA_URL, row), 200);
});
