import { z } from "zod";
import { fromWire } from "../protocol/wire-bytes.js";

/** Yjs bytes in an event's argument (binary, or base64 text: protocol/wire-bytes.ts), checked at the edge. */
export function wireBytes(message: string) {
  return z.unknown().transform((payload, context) => {
    const bytes = fromWire(payload);
    if (!bytes) context.addIssue({ code: "custom", message });
    return bytes ?? z.NEVER;
  });
}
