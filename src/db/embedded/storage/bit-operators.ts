import type { Document } from "bson";
import { CommandError } from "../errors.js";
import { bsonTypeOf, isNumeric, toDouble } from "./bson-order.js";

type Candidates = (document: Document, selector: string) => unknown[];
type BitTest = (selector: string, mask: unknown) => (document: Document) => boolean;

const bytesOf = (value: unknown): Uint8Array => (value as { buffer: Uint8Array }).buffer;

/** The bit positions a mask names: a non-negative integer's set bits, a list of positions, or BinData's set bits. */
function maskPositions(mask: unknown): number[] {
  if (bsonTypeOf(mask) === "Binary") return setBits(bytesOf(mask));
  if (Array.isArray(mask)) {
    if (!mask.every((position) => Number.isInteger(position) && position >= 0)) {
      throw new CommandError("BadValue", "bit positions must be non-negative integers");
    }
    return mask as number[];
  }
  if (isNumeric(mask)) {
    const number = toDouble(mask);
    if (!Number.isSafeInteger(number) || number < 0) {
      throw new CommandError("BadValue", "a bitmask must be a non-negative integer");
    }
    const positions: number[] = [];
    for (let bit = 0n, rest = BigInt(number); rest > 0n; bit++, rest >>= 1n) if (rest & 1n) positions.push(Number(bit));
    return positions;
  }
  throw new CommandError("BadValue", "a bitmask must be a number, an array of bit positions or BinData");
}

function setBits(bytes: Uint8Array): number[] {
  const positions: number[] = [];
  bytes.forEach((byte, index) => {
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) positions.push(index * 8 + bit);
  });
  return positions;
}

/**
 * Reads one bit of a field value: an integral number as 64-bit two's complement (sign-extended past bit 63),
 * BinData little-endian by byte. Other values have no bits and never match.
 */
function bitReader(value: unknown): ((position: number) => boolean) | undefined {
  if (bsonTypeOf(value) === "Binary") {
    const bytes = bytesOf(value);
    return (position) => ((bytes[position >> 3] ?? 0) & (1 << (position & 7))) !== 0;
  }
  if (!isNumeric(value)) return undefined;
  const number = toDouble(value);
  if (!Number.isInteger(number) || Math.abs(number) > 2 ** 63) return undefined;
  const bits = BigInt.asUintN(64, BigInt(number));
  return (position) => (position >= 64 ? number < 0 : ((bits >> BigInt(position)) & 1n) === 1n);
}

function bitOperator(candidates: Candidates, wantSet: boolean, all: boolean): BitTest {
  return (selector, mask) => {
    const positions = maskPositions(mask);
    return (document) =>
      candidates(document, selector).some((candidate) => {
        const read = bitReader(candidate);
        if (!read) return false;
        const holds = (position: number) => read(position) === wantSet;
        return all ? positions.every(holds) : positions.some(holds);
      });
  };
}

/** `$bitsAllSet`, `$bitsAnySet`, `$bitsAllClear`, `$bitsAnyClear` over numbers and BinData, as MongoDB defines them. */
export function bitsOperators(candidates: Candidates): Record<string, BitTest> {
  return {
    $bitsAllSet: bitOperator(candidates, true, true),
    $bitsAnySet: bitOperator(candidates, true, false),
    $bitsAllClear: bitOperator(candidates, false, true),
    $bitsAnyClear: bitOperator(candidates, false, false),
  };
}
