import { Types } from "mongoose";
import { AppError } from "../errors.js";

/** An opaque page cursor: the (createdAt, _id) of the last project on the previous page. */
export function encodeCursor(createdAt: Date, id: Types.ObjectId): string {
  return Buffer.from(`${createdAt.getTime()}.${id.toHexString()}`).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: Date; id: Types.ObjectId } {
  const [time, id] = Buffer.from(cursor, "base64url").toString().split(".");
  const createdAt = new Date(Number(time));
  if (!time || !/^\d{1,15}$/.test(time) || !id || !/^[0-9a-f]{24}$/.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new AppError("VALIDATION", "cursor: not a cursor this service returned");
  }
  return { createdAt, id: new Types.ObjectId(id) };
}
