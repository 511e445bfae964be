import { defineConfig } from "vitest/config";

// Projects: `node` runs beside the platform (libSQL server conformance, migrations, end-to-end against `npm start`).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
