import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";

/** One entry of a y-protocols awareness update; `state` null means the client is gone. */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: Record<string, unknown> | null;
}

export class InvalidAwarenessError extends Error {}

/** `[varUint count]([varUint clientId][varUint clock][varString json])*`, nothing after, every state an object or null. */
export function readAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  try {
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    const entries: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const state: unknown = JSON.parse(decoding.readVarString(decoder));
      if (state !== null && (typeof state !== "object" || Array.isArray(state))) {
        throw new InvalidAwarenessError("an awareness state must be an object or null");
      }
      entries.push({ clientId, clock, state: state as AwarenessEntry["state"] });
    }
    if (decoding.hasContent(decoder)) throw new InvalidAwarenessError("trailing bytes after the awareness update");
    return entries;
  } catch (error) {
    if (error instanceof InvalidAwarenessError) throw error;
    throw new InvalidAwarenessError(`malformed awareness update: ${(error as Error).message}`);
  }
}

export function writeAwarenessUpdate(entries: AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) writeEntry(encoder, entry);
  return encoding.toUint8Array(encoder);
}

/** One entry's bytes, to be joined into updates later: a state encoded once serves every update that carries it. */
export function writeAwarenessEntry(entry: AwarenessEntry): Uint8Array {
  const encoder = encoding.createEncoder();
  writeEntry(encoder, entry);
  return encoding.toUint8Array(encoder);
}

/** An update of entries from `writeAwarenessEntry`: their count, then each as it is. */
export function joinAwarenessEntries(entries: Uint8Array[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) encoding.writeUint8Array(encoder, entry);
  return encoding.toUint8Array(encoder);
}

function writeEntry(encoder: encoding.Encoder, entry: AwarenessEntry): void {
  encoding.writeVarUint(encoder, entry.clientId);
  encoding.writeVarUint(encoder, entry.clock);
  encoding.writeVarString(encoder, JSON.stringify(entry.state));
}
