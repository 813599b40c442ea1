// Images: immutable, content-addressed boot and disk images (placeholder until the store lands).
import { Hono } from "hono";
import type { AppEnv } from "../app.js";

export const imageRoutes = new Hono<AppEnv>();
