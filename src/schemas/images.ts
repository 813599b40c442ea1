// Images API contract (zod 4): the upload query (`POST /api/images?name&kind&signature`) and
// the image record every images route answers with. Shared by the routes, the CLI and the UI.
import { z } from "zod";
import { toBase64, fromBase64 } from "../encoding.js";

export const IMAGE_KINDS = ["kernel", "initrd", "disk", "firmware"] as const;

export const ImageKind = z.enum(IMAGE_KINDS, {
  error: `kind must be one of ${IMAGE_KINDS.join(", ")}`,
});

export const ImageName = z
  .string({ error: "name is required" })
  .regex(/^[A-Za-z0-9._-]{1,128}$/, "name must be 1-128 characters of A-Z, a-z, 0-9, '.', '_' or '-'");

const SIGNATURE_MESSAGE = "signature must be the base64 encoding of a 64-byte Ed25519 signature";

/** Standard base64 (padding optional) decoding to exactly 64 bytes; normalised to padded base64.
 * A space is read as '+', since an unencoded '+' in a query string arrives as a space. */
export const ImageSignature = z.string().transform((s, ctx) => {
  const text = s.replace(/ /g, "+");
  let bytes: Uint8Array | undefined;
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    try {
      bytes = fromBase64(text);
    } catch {
      bytes = undefined;
    }
  }
  if (!bytes || bytes.length !== 64) {
    ctx.addIssue({ code: "custom", message: SIGNATURE_MESSAGE });
    return z.NEVER;
  }
  return toBase64(bytes);
});

export const ImageUploadQuery = z.object({
  name: ImageName,
  kind: ImageKind,
  signature: ImageSignature.optional(),
});
export type ImageUploadQuery = z.infer<typeof ImageUploadQuery>;

export const Image = z.object({
  id: z.string(),
  name: z.string(),
  kind: ImageKind,
  /** Bytes. */
  size: z.number().int().nonnegative(),
  /** Lowercase hex SHA-256 of the bytes: the image's content address. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Base64 Ed25519 signature given at upload, if any. */
  signature: z.string().optional(),
  /** Milliseconds since the epoch. */
  createdAt: z.number().int(),
});
export type Image = z.infer<typeof Image>;
