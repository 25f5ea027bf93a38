import type { RequestHandler } from "express";
import { Passport } from "passport";
import { ExtractJwt, Strategy as JwtStrategy } from "passport-jwt";
import { AppError } from "../errors.js";
import type { AccountService, PublicUser } from "./accounts.js";
import { type AuthOutcome, ignoreAuthOutcome } from "./auth-outcomes.js";
import { MAX_TOKEN_LENGTH, type TokenService } from "./tokens.js";

declare global {
  namespace Express {
    interface User extends PublicUser {}
  }
}

/**
 * A passport instance of this service's own (not passport's global one),
 * with the JWT strategy pinned to the token service's algorithm and claims
 * rules. Returns middleware that sets `req.user` or fails with UNAUTHORIZED.
 */
export function createRequireUser(
  tokens: TokenService,
  accounts: AccountService,
  outcome: AuthOutcome = ignoreAuthOutcome,
): RequestHandler {
  const passport = new Passport();
  const bearer = ExtractJwt.fromAuthHeaderAsBearerToken();
  passport.use(
    new JwtStrategy(
      {
        // The same length limit as the socket handshake: a longer token is no token.
        jwtFromRequest: (req) => {
          const token = bearer(req);
          return token && token.length <= MAX_TOKEN_LENGTH ? token : null;
        },
        // passport-jwt hands this to jsonwebtoken, which takes a KeyObject; its typings only name string and Buffer.
        secretOrKey: tokens.key as unknown as string,
        algorithms: tokens.verifyOptions.algorithms,
        ignoreExpiration: false,
      },
      (payload: unknown, done: (error: unknown, user?: PublicUser | false) => void) => {
        let userId: string;
        try {
          userId = tokens.claimsFrom(payload).userId;
        } catch {
          return done(null, false);
        }
        accounts.findById(userId).then(
          (user) => done(null, user ?? false),
          (error) => done(error),
        );
      },
    ),
  );
  const authenticate = passport.initialize();
  return (req, res, next) => {
    authenticate(req, res, () => {
      passport.authenticate("jwt", { session: false }, (error: unknown, user: PublicUser | false) => {
        if (error) {
          outcome("http", "failure", "unavailable");
          return next(error);
        }
        if (!user) {
          outcome("http", "failure", "invalid_token");
          return next(new AppError("UNAUTHORIZED", "missing, invalid or expired token"));
        }
        outcome("http", "success", "ok");
        req.user = user;
        next();
      })(req, res, next);
    });
  };
}
