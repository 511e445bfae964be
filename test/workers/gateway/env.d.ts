// What the gateway project's setup (test/gateway-setup.ts) hands its tests with provide().
import type { JWK } from "jose";

declare module "vitest" {
  export interface ProvidedContext {
    platformAdminKey: string;
    oidcJwksUrl: string;
    /** Private JWKs (with kid and alg) by alg: RS256, ES256, EdDSA. */
    oidcPrivateJwks: Record<string, JWK>;
    rotationLibsqlUrl: string;
  }
}
