// Request bodies: JSON parsed and validated against a zod schema, with the API's error
// statuses — 400 when the body is not JSON at all, 422 when it is JSON that means nothing
// valid (the message names the field and what is wrong).
import type { Context } from "hono";
import type { z } from "zod";
import { badRequest, unprocessable } from "./errors.js";

export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body is not valid JSON: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length ? issue.path.join(".") : "body";
    throw unprocessable(`${where}: ${issue.message}`);
  }
  return r.data;
}
