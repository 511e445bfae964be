// Coupons: a merchant (`promotions:write`) issues them for its products, the operator platform-wide, and each may
// end its own early; anyone reads one; a signed-in shopper (or creator) claims one with an Idempotency-Key and lists
// what they hold.
import { z } from "@hono/zod-openapi";
import { desc, eq } from "drizzle-orm";
import { database } from "#shared/db.ts";
import { createRouter } from "#shared/http.ts";
import { idempotency } from "#shared/idempotency.ts";
import { created, jsonBody, ok } from "#shared/openapi/responses.ts";
import { createResourceRoute, retrieveRoute, route } from "#shared/openapi/routes.ts";
import { idParam } from "#shared/openapi/schemas.ts";
import { checkFirst, personId, requirePerson } from "#shared/principal.ts";
import { couponClaims, coupons } from "#shared/schema.ts";
import { issuer, issuersOnly } from "../promotions/issuer.ts";
import {
  ClaimSchema,
  CouponCreateSchema,
  CouponSchema,
  claimCoupon,
  couponRow,
  createCoupon,
  endCoupon,
  toCoupon,
} from "./coupon.ts";

const createCouponRoute = createResourceRoute(
  "Issue a coupon",
  CouponCreateSchema,
  created(CouponSchema, "The coupon", 400, 401, 403, 422),
  {
    description:
      "A merchant (`promotions:write`): for its own products, merchant-funded. The operator: platform-wide, platform-funded. Fixed (`amountOff`) or percent (`percentOff`, optional cap `maxOff`, rounded up in the shopper's favour), with a minimum spend, a valid period, a total quantity and a per-shopper limit; optionally only for a live session's viewers or a note's readers, or only a campaign's products. Optional Idempotency-Key.",
  },
);

const getCouponRoute = retrieveRoute("cpn", "Retrieve a coupon", ok(CouponSchema, "The coupon", 400, 404));

const claimRoute = route("POST /{id}/claims", "Claim a coupon", {
  description:
    "A signed-in shopper or creator, with an Idempotency-Key. Never more claims than the coupon's quantity, however many press at once. 409 `coupon_exhausted` (none left), `coupon_limit_exceeded` (your limit), `coupon_expired`, `coupon_not_applicable` (not yet valid, or an audience coupon without `attribution` from its session or note).",
  request: {
    params: idParam("cpn"),
    body: jsonBody(
      z
        .object({
          attribution: z.string().min(1).max(512).optional().openapi({
            description: "For an audience coupon: the reference of a product link from its live session or note.",
          }),
        })
        .strict()
        .openapi("CouponClaimInput"),
      false,
    ),
  },
  responses: created(ClaimSchema, "Your claim", 400, 401, 404, 409, 422),
});

const endCouponRoute = route("POST /{id}/end", "End a coupon now", {
  description:
    "Its issuer: the merchant (`promotions:write`) for its own coupons, the operator for the platform's; another's is a 404. From now on it is neither claimed nor applied at checkout (409 `coupon_expired`); orders already placed keep their discount. `endsAt` becomes now; ending an ended coupon changes nothing and answers the same. Optional Idempotency-Key.",
  request: { params: idParam("cpn") },
  responses: ok(CouponSchema, "The ended coupon", 400, 401, 403, 404, 422),
});

const myClaimsRoute = route("GET /claims", "The coupons you hold", {
  description: "A signed-in shopper or creator: claims newest first (at most 100), used ones with their order.",
  responses: ok(z.object({ data: z.array(ClaimSchema) }).openapi("CouponClaimList"), "Your claims", 401),
});

export const couponRoutes = createRouter<{ Bindings: Env }>();

couponRoutes.post("/", issuersOnly, idempotency({ required: false }));
couponRoutes.openapi(createCouponRoute, async (c) => {
  const row = await createCoupon(database(c.env), issuer(c), c.req.valid("json"));
  c.header("location", `/v1/coupons/${row.id}`);
  return c.json(toCoupon(row), 201);
});

couponRoutes.openapi(myClaimsRoute, async (c) => {
  const ownerId = personId(requirePerson(c));
  const rows = await database(c.env)
    .select()
    .from(couponClaims)
    .innerJoin(coupons, eq(coupons.id, couponClaims.couponId))
    .where(eq(couponClaims.ownerId, ownerId))
    .orderBy(desc(couponClaims.claimedAt), desc(couponClaims.seq))
    .limit(100);
  c.header("cache-control", "private, no-store");
  const data = rows.map(({ coupon_claims: claim, coupons: coupon }) => ({
    object: "coupon_claim" as const,
    couponId: claim.couponId,
    seq: claim.seq,
    claimedAt: claim.claimedAt,
    orderId: claim.orderId,
    coupon: toCoupon(coupon),
  }));
  return c.json({ data }, 200);
});

couponRoutes.openapi(getCouponRoute, async (c) => {
  const { id } = c.req.valid("param");
  return c.json(toCoupon(await couponRow(database(c.env), id)), 200);
});

couponRoutes.post("/:id/end", issuersOnly, idempotency({ required: false }));
couponRoutes.openapi(endCouponRoute, async (c) => {
  const { id } = c.req.valid("param");
  return c.json(toCoupon(await endCoupon(database(c.env), issuer(c), id, new Date())), 200);
});

couponRoutes.post("/:id/claims", checkFirst(requirePerson), idempotency({ required: true }));
couponRoutes.openapi(claimRoute, async (c) => {
  const { id } = c.req.valid("param");
  const ownerId = personId(requirePerson(c));
  const claim = await claimCoupon({
    db: database(c.env),
    couponId: id,
    ownerId,
    attribution: c.req.valid("json")?.attribution,
    now: new Date(),
  });
  return c.json(claim, 201);
});
