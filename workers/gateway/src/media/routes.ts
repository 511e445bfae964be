// GET /media/{id}/{width}: an uploaded image at one of its stored widths, public, from R2 through the edge cache.
// A variant never changes (a new image is a new id), so it is cached for a year as immutable, with an ETag for
// the clients that revalidate anyway (docs/guides/media.md).
import { z } from "@hono/zod-openapi";
import { ProblemError } from "#shared/errors.ts";
import { holdsEtag } from "#shared/etag.ts";
import { createRouter } from "#shared/http.ts";
import { MEDIA_WIDTHS, type MediaWidth } from "#shared/media.ts";
import { problemResponses } from "#shared/openapi/responses.ts";
import { route } from "#shared/openapi/routes.ts";
import { idParam } from "#shared/openapi/schemas.ts";
import { IMMUTABLE, variantKey } from "./store.ts";

const getMediaRoute = route("GET /{id}/{width}", "An uploaded image at one width (WebP, public)", {
  description: `Public, no credential. \`width\` is one of ${MEDIA_WIDTHS.join(", ")} (pixels; an image narrower than that is served at its own width). Cached for a year (immutable), with an ETag: a matching If-None-Match is a 304.`,
  request: {
    params: idParam("med").extend({
      width: z
        .enum(MEDIA_WIDTHS.map(String) as [string, ...string[]])
        .openapi({ param: { name: "width", in: "path" }, example: "480" }),
    }),
  },
  responses: {
    200: {
      description: "The image",
      content: { "image/webp": { schema: z.string().openapi({ format: "binary" }) } },
    },
    304: { description: "Not modified: the client's copy (If-None-Match) is current" },
    ...problemResponses(400, 404),
  },
});

export const mediaRoutes = createRouter<{ Bindings: Env }>();

mediaRoutes.openapi(getMediaRoute, async (c) => {
  const { id, width } = c.req.valid("param");
  const cache = caches.default;
  const key = new Request(new URL(c.req.path, c.req.url).toString(), { method: "GET" });
  let response = await cache.match(key);
  if (!response) {
    const object = await c.env.MEDIA.get(variantKey(id, Number(width) as MediaWidth));
    if (!object) throw new ProblemError("not_found", `No image ${id}.`);
    response = new Response(object.body, {
      headers: {
        "content-type": "image/webp",
        "cache-control": IMMUTABLE,
        etag: object.httpEtag,
        "x-content-type-options": "nosniff",
      },
    });
    c.executionCtx.waitUntil(cache.put(key, response.clone()));
  }
  const etag = response.headers.get("etag") ?? "";
  if (holdsEtag(c.req.header("if-none-match") ?? null, etag)) {
    await response.body?.cancel();
    return new Response(null, { status: 304, headers: { etag, "cache-control": IMMUTABLE } }) as never;
  }
  return response as never;
});
