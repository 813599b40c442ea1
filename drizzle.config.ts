// drizzle-kit: generates the D1 migrations in migrations/ from src/storage/db/schema.ts.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/storage/db/schema.ts",
  out: "./migrations",
});
