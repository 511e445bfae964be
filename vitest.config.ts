import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { workers } from "./dev/workers.ts";
import { backendWorkers, workersBoundBy } from "./test/build-workers.ts";
import { stripeTestKeys } from "./test/stripe-fake.ts";

// Nothing in a test run may phone home.
process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_LOG = "warn";
// The live Worker's LiveKit API secret ([secrets] in workers/live/wrangler.toml): the `livekit-server --dev` one.
process.env.LIVEKIT_API_SECRET ??= "secret";
// The checkout Worker's key for webhook signing secrets at rest ([secrets] in workers/checkout/wrangler.toml).
process.env.WEBHOOK_SECRETS_KEY ??= "zc_test_webhook_secrets_key";

// One project per Worker, each running inside workerd against its own wrangler.toml and the real libSQL server;
// the gateway's project also runs the other four Workers so its service bindings are real.
const workerProjects: TestProjectInlineConfiguration[] = workers.map((worker) => ({
  plugins: [
    cloudflareTest(async ({ inject }) => {
      // The sandbox payment provider's signing secret: none is shipped (the sandbox is off without one); tests set theirs.
      const bindings = {
        LIBSQL_URL: inject("libsqlUrl"),
        LIBSQL_AUTH_TOKEN: inject("libsqlAuthToken"),
        SANDBOX_WEBHOOK_SECRET: "whsec_sandbox_tests_only",
      };
      // wrangler reads each config's [secrets] from the environment: hand it the test token so none is missing.
      process.env.LIBSQL_AUTH_TOKEN = bindings.LIBSQL_AUTH_TOKEN;
      if (worker.name === "gateway") process.env.PLATFORM_ADMIN_KEY = inject("platformAdminKey");
      // The gateway gets the operator key; the checkout Worker the fake Stripe (test/stripe-fake.ts) and its keys.
      const own: Record<string, string> =
        worker.name === "gateway"
          ? { PLATFORM_ADMIN_KEY: inject("platformAdminKey") }
          : worker.name === "checkout"
            ? {
                STRIPE_API_BASE: inject("stripeApiBase"),
                STRIPE_SECRET_KEY: stripeTestKeys.secretKey,
                STRIPE_WEBHOOK_SECRET: stripeTestKeys.webhookSecret,
                // Webhook tests deliver to a local receiver (test/webhook-receiver.ts) over http on 127.0.0.1.
                WEBHOOK_ALLOW_PRIVATE_URLS: "true",
              }
            : {};
      // Beside the Worker: for the gateway every backend (checkout delivering webhooks to the run's local receiver);
      // for catalog and live, checkout, whose WebhookDispatcher they bind.
      const bound = workersBoundBy(worker);
      const beside =
        worker.name === "gateway"
          ? await backendWorkers({ ...bindings, WEBHOOK_ALLOW_PRIVATE_URLS: "true" })
          : bound.length > 0
            ? await backendWorkers(bindings, bound, worker.name)
            : undefined;
      return {
        wrangler: { configPath: `./${worker.config}` },
        miniflare: { bindings: { ...bindings, ...own }, ...(beside ? { workers: beside } : {}) },
      };
    }),
  ],
  test: {
    name: worker.name,
    include: [`test/workers/${worker.name}/**/*.test.ts`],
    // A file's first test starts its Worker cold (bundled dependencies, pinyin-pro's dictionary on the first write):
    // on a busy machine that alone can pass vitest's default 5 s.
    testTimeout: 20_000,
    // The gateway's tests also get an operator key, a local OIDC provider, a database for key rotation and a webhook
    // receiver; the checkout's a fake Stripe and a webhook receiver.
    ...(worker.name === "gateway" ? { globalSetup: ["./test/gateway-setup.ts", "./test/webhook-receiver.ts"] } : {}),
    ...(worker.name === "checkout" ? { globalSetup: ["./test/stripe-fake.ts", "./test/webhook-receiver.ts"] } : {}),
  },
}));

export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    reporters: ["default", "./test/summary-reporter.ts"],
    // Access-log lines are for operators; in test output they only hide the failures.
    onConsoleLog: (log) => !log.includes('"msg":"request"'),
    projects: [
      ...workerProjects,
      {
        // Beside the platform: libSQL server conformance, migrations, end-to-end against `npm start`.
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          environment: "node",
          // The browser the end-to-end tests drive, unpacked from the npm registry once.
          globalSetup: ["./test/browser-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
