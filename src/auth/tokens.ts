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
  readonly secret: string;
  readonly verifyOptions: jwt.VerifyOptions & { algorithms: jwt.Algorithm[] };
}

const unauthorized = () => new AppError("UNAUTHORIZED", "missing, invalid or expired token");

export function createTokenService(secret: string, expiresInSeconds: number): TokenService {
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
    secret,
    verifyOptions,
    claimsFrom,
    issue(userId) {
      return jwt.sign({}, secret, { algorithm: JWT_ALGORITHM, subject: userId, expiresIn: expiresInSeconds });
    },
    verify(token) {
      if (typeof token !== "string" || token.length === 0 || token.length > 4096) throw unauthorized();
      try {
        return claimsFrom(jwt.verify(token, secret, verifyOptions));
      } catch {
        throw unauthorized();
      }
    },
  };
}
