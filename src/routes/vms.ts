// VMs (placeholder).
import { Hono } from "hono";
import type { AppEnv } from "../app.js";

export const vmRoutes = new Hono<AppEnv>();
