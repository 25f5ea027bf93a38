import { describe, expect, it } from "vitest";
import {
  fromWire,
  LARGEST_TEXT_PAYLOAD_BYTES,
  LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES,
  toWire,
} from "../../src/protocol/wire-bytes.js";

const bytes = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 31) % 256);
/** The byte values read, whatever Uint8Array subclass holds them (Buffer is one). */
const valuesRead = (payload: unknown) => Array.from(fromWire(payload) ?? [Number.NaN]);

describe("yjs bytes on the wire", () => {
  it("sends up to the text limit as base64 text, and larger payloads as the bytes themselves", () => {
    const small = bytes(LARGEST_TEXT_PAYLOAD_BYTES);
    const large = bytes(LARGEST_TEXT_PAYLOAD_BYTES + 1);
    const asText = toWire(small);
    expect(typeof asText).toBe("string");
    expect(Buffer.from(asText as string, "base64")).toEqual(Buffer.from(small));
    expect(toWire(large)).toBe(large);
    expect(fromWire(toWire(small))).toEqual(small);
    expect(fromWire(toWire(large))).toEqual(large);
  });

  it("has a lower text limit for what goes to one socket", () => {
    const small = bytes(LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES);
    const large = bytes(LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES + 1);
    expect(typeof toWire(small, LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES)).toBe("string");
    expect(toWire(large, LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES)).toBe(large);
    expect(typeof toWire(large)).toBe("string");
  });

  it("reads binary in each form a client library delivers it: Buffer (Node), ArrayBuffer (browsers), a view", () => {
    const original = bytes(100);
    const values = Array.from(original);
    expect(valuesRead(Buffer.from(original))).toEqual(values);
    expect(valuesRead(original.slice().buffer)).toEqual(values);
    const padded = new Uint8Array(120);
    padded.set(original, 10);
    expect(valuesRead(padded.subarray(10, 110))).toEqual(values);
  });

  it("refuses text that is not well-formed base64, and anything that is neither text nor binary", () => {
    for (const payload of ["abc", "ab!d", "a===", "YWJj\n", 42, null, undefined, { 0: 1 }, [1, 2]]) {
      expect(fromWire(payload)).toBeUndefined();
    }
  });
});
