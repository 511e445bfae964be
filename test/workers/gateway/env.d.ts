// What the gateway project's setups (test/gateway-setup.ts, test/webhook-receiver.ts) hand its tests with provide().
import type { JWK } from "jose";

declare module "vitest" {
  export interface ProvidedContext {
    platformAdminKey: string;
    oidcJwksUrl: string;
    /** Private JWKs (with kid and alg) by alg: RS256, ES256, EdDSA. */
    oidcPrivateJwks: Record<string, JWK>;
    rotationLibsqlUrl: string;
    /** The run's merchant-webhook receiver (test/webhook-receiver.ts). */
    webhookReceiverUrl: string;
  }
}
