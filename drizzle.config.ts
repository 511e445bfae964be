import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "turso",
  schema: "./shared/schema/index.ts",
  out: "./migrations",
});
