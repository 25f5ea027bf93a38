import { createSecretKey, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";
import { Types } from "mongoose";
import { AppError } from "../errors.js";

/** The one algorithm tokens are signed and verified with; `none` and RS/ES confusion are refused. */
export const JWT_ALGORITHM = "HS256";

/** The longest token accepted, over HTTP and sockets alike; ours are about 200 characters. */
export const MAX_TOKEN_LENGTH = 4096;
/** How far a token's `iat` may lie in the future (clocks differ a little between machines). */
const CLOCK_TOLERANCE_SECONDS = 60;

export interface TokenClaims {
  userId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface TokenService {
  issue(userId: string): string;
  /** Throws UNAUTHORIZED for anything but a well-formed, unexpired, not too old token of ours. */
  verify(token: unknown): TokenClaims;
  /** Claims from a payload already verified by passport-jwt with `verifyOptions`. */
  claimsFrom(payload: unknown): TokenClaims;
  /** The HMAC key as a KeyObject: jsonwebtoken would otherwise try (and fail) to parse a string as a PEM key on every call. */
  readonly key: KeyObject;
  readonly verifyOptions: jwt.VerifyOptions & { algorithms: jwt.Algorithm[] };
}

const unauthorized = () => new AppError("UNAUTHORIZED", "missing, invalid or expired token");

/**
 * Tokens are checked by one rule wherever they arrive (passport-jwt over
 * HTTP, the socket handshake): HS256 only, at most MAX_TOKEN_LENGTH
 * characters, `sub` a user id, `exp` present and in the future, and `iat`
 * present and less than `maxAgeSeconds` ago, so a token minted with a far
 * `exp` (under a leaked secret, say) still dies within the maximum age.
 */
export function createTokenService(secret: string, expiresInSeconds: number, maxAgeSeconds: number): TokenService {
  const key = createSecretKey(Buffer.from(secret, "utf8"));
  const verifyOptions = { algorithms: [JWT_ALGORITHM] as jwt.Algorithm[] };
  const claimsFrom = (payload: unknown): TokenClaims => {
    if (typeof payload !== "object" || payload === null) throw unauthorized();
    const { sub, exp, iat } = payload as { sub?: unknown; exp?: unknown; iat?: unknown };
    // jsonwebtoken accepts tokens without `exp` or `iat`; we do not.
    if (typeof exp !== "number" || typeof iat !== "number") throw unauthorized();
    if (typeof sub !== "string" || !Types.ObjectId.isValid(sub)) throw unauthorized();
    const now = Date.now() / 1000;
    if (exp <= now || iat > now + CLOCK_TOLERANCE_SECONDS || now - iat > maxAgeSeconds) throw unauthorized();
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
      if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw unauthorized();
      try {
        return claimsFrom(jwt.verify(token, key, verifyOptions));
      } catch {
        throw unauthorized();
      }
    },
  };
}
