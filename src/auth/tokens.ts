import { createSecretKey, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";
import { Types } from "mongoose";
import { AppError } from "../errors.js";

/** The one algorithm tokens are signed and verified with; `none` and RS/ES confusion are refused. */
export const JWT_ALGORITHM = "HS256";

export interface TokenClaims {
  userId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface TokenService {
  issue(userId: string): string;
  /** Throws UNAUTHORIZED for anything but a well-formed, unexpired token of ours. */
  verify(token: unknown): TokenClaims;
  /** Claims from a payload already verified by passport-jwt with `verifyOptions`. */
  claimsFrom(payload: unknown): TokenClaims;
  /** The HMAC key as a KeyObject: jsonwebtoken would otherwise try (and fail) to parse a string as a PEM key on every call. */
  readonly key: KeyObject;
  readonly verifyOptions: jwt.VerifyOptions & { algorithms: jwt.Algorithm[] };
}

const unauthorized = () => new AppError("UNAUTHORIZED", "missing, invalid or expired token");

export function createTokenService(secret: string, expiresInSeconds: number): TokenService {
  const key = createSecretKey(Buffer.from(secret, "utf8"));
  const verifyOptions = { algorithms: [JWT_ALGORITHM] as jwt.Algorithm[] };
  const claimsFrom = (payload: unknown): TokenClaims => {
    if (typeof payload !== "object" || payload === null) throw unauthorized();
    const { sub, exp } = payload as { sub?: unknown; exp?: unknown };
    // jsonwebtoken accepts tokens without `exp`; we do not.
    if (typeof exp !== "number" || typeof sub !== "string" || !Types.ObjectId.isValid(sub)) throw unauthorized();
    if (exp * 1000 <= Date.now()) throw unauthorized();
    return { userId: sub, expiresAt: exp };
  };
  return {
    key,
    verifyOptions,
    claimsFrom,
    issue(userId) {
      return jwt.sign({}, key, { algorithm: JWT_ALGORITHM, subject: userId, expiresIn: expiresInSeconds });
    },
    verify(token) {
      if (typeof token !== "string" || token.length === 0 || token.length > 4096) throw unauthorized();
      try {
        return claimsFrom(jwt.verify(token, key, verifyOptions));
      } catch {
        throw unauthorized();
      }
    },
  };
}
