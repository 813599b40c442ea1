// GET /api/openapi.json (placeholder).
import { Hono } from "hono";
import type { AppEnv } from "../app.js";

export const openApiRoutes = new Hono<AppEnv>().get("/openapi.json", (c) => c.json({ openapi: "3.1.0" }));
