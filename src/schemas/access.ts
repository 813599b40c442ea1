// The Access part of the API contract (API.md "Access"): request bodies for users, login and
// tokens as zod schemas, shared by the routes and the OpenAPI document.
import { z } from "zod";
import { nameSchema } from "./vms.js";
import { passwordProblem, PASSWORD_MAX, PASSWORD_MIN } from "../security/passwords.js";

/** 12-256 characters (code points), checked only when a password is set, never at login. */
const PASSWORD_RULE = `must be ${PASSWORD_MIN}-${PASSWORD_MAX} characters`;
export const passwordSchema = z.string().min(PASSWORD_MIN, PASSWORD_RULE).max(PASSWORD_MAX * 2, PASSWORD_RULE).superRefine((pw, ctx) => {
  const problem = passwordProblem(pw);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export const createUserSchema = z.object({
  name: nameSchema,
  password: passwordSchema.optional(),
}).strict();

export const loginSchema = z.object({
  name: z.string().min(1).max(256),
  password: z.string().min(1).max(4 * PASSWORD_MAX),
}).strict();

/** Up to ten years; without it, an API token does not expire. */
export const MAX_TOKEN_SECONDS = 10 * 366 * 86_400;

export const createTokenSchema = z.object({
  /** The user the token is for (a user name); default: the caller. */
  user: z.string().min(1).max(256).optional(),
  name: z.string().min(1).max(128).regex(/^[^\p{Cc}]+$/u, "must not contain control characters"),
  expiresInSeconds: z.number().int().min(1).max(MAX_TOKEN_SECONDS).optional(),
}).strict();

export type CreateUser = z.infer<typeof createUserSchema>;
export type Login = z.infer<typeof loginSchema>;
export type CreateToken = z.infer<typeof createTokenSchema>;
