import type { Document } from "bson";

/** Server error codes as MongoDB names them (src/mongo/base/error_codes.yml). */
export const ErrorCodes = {
  BadValue: 2,
  Overflow: 15,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  ConflictingUpdateOperators: 40,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  CursorNotFound: 43,
  NamespaceExists: 48,
  InvalidIdField: 53,
  CommandNotFound: 59,
  ImmutableField: 66,
  CommandNotSupported: 115,
  DocumentValidationFailure: 121,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  BSONObjectTooLarge: 10334,
  /** A pipeline stage with more than one field. */
  Location40323: 40323,
  /** An unknown pipeline stage name. */
  Location40324: 40324,
  /** A field the command's or statement's schema does not know. */
  Location40415: 40415,
  /** `$out` or `$merge` anywhere but last. */
  Location40601: 40601,
  /** `$merge` on fields no unique index covers. */
  Location51183: 51183,
  MergeStageNoMatchingDocument: 13113,
  DuplicateKey: 11000,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

/** A command failure that becomes an `{ ok: 0, code, codeName, errmsg }` reply. */
export class CommandError extends Error {
  readonly code: number;
  readonly codeName: ErrorCodeName;
  readonly extra: Document;

  constructor(codeName: ErrorCodeName, message: string, extra: Document = {}) {
    super(message);
    this.codeName = codeName;
    this.code = ErrorCodes[codeName];
    this.extra = extra;
  }

  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }

  /** The shape of one entry of `writeErrors` in insert/update/delete replies. */
  toWriteError(index: number): Document {
    return { index, code: this.code, errmsg: this.message, ...this.extra };
  }
}
