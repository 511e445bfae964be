import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "turso",
  schema: "./shared/schema.ts",
  out: "./migrations",
});
