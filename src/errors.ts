// API errors: thrown anywhere in a request, turned into `{"error":{"code","message"}}` with
// the right status by the app's one error handler (src/app.ts).
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export class ApiError extends HTTPException {
  constructor(readonly httpStatus: ContentfulStatusCode, readonly code: string, message: string) {
    super(httpStatus, { message });
  }
}

export const badRequest = (message: string) => new ApiError(400, "bad_request", message);
export const unauthorized = (message: string) => new ApiError(401, "unauthorized", message);
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
export const notFound = (what: string, id: string) => new ApiError(404, "not_found", `${what} ${id} does not exist`);
export const conflict = (message: string) => new ApiError(409, "conflict", message);
export const tooLarge = (message: string) => new ApiError(413, "too_large", message);
export const unprocessable = (message: string) => new ApiError(422, "invalid", message);
export const unavailable = (message: string) => new ApiError(503, "capacity", message);

/** The JSON body of an error answer. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
