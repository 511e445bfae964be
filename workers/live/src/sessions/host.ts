// Who may host: a creator (signed in) or a merchant's store (secret key with catalog:write). Another host's session
// is a 404, never a 403.
import type { Context } from "hono";
import { ProblemError } from "#shared/errors.ts";
import { principalOf, requireMerchant, requirePerson } from "#shared/principal.ts";
import type { SessionMeta } from "./meta.ts";
import type { SessionHost } from "./schedule.ts";

export function requireHost(c: Context): SessionHost {
  if (principalOf(c).actor.type === "merchant")
    return { type: "merchant", merchantId: requireMerchant(c, "catalog:write").merchantId };
  const person = requirePerson(c);
  if (person.type !== "creator")
    throw new ProblemError("forbidden", "Only creators and merchants' stores host live sessions.");
  return { type: "creator", creatorId: person.creatorId };
}

export function assertHosts(meta: SessionMeta, host: SessionHost): void {
  const hostId = host.type === "creator" ? host.creatorId : host.merchantId;
  if (meta.hostType !== host.type || meta.hostId !== hostId) {
    throw new ProblemError("not_found", `Live session ${meta.id} does not exist.`);
  }
}
