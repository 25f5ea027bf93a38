import type { z } from "zod";
import { AppError } from "../errors.js";

/** Parses untrusted input with a zod schema; failures become one VALIDATION error naming each bad field. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
  throw new AppError("VALIDATION", details || "invalid input");
}
