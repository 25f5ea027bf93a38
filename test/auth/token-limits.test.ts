import jwt from "jsonwebtoken";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_TOKEN_LENGTH } from "../../src/auth/tokens.js";
import { registerUser, request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { connectProjects, refusal } from "../helpers/sockets.js";

const SECRET = "k".repeat(48);
const running = useService({ JWT_SECRET: SECRET, JWT_MAX_AGE: "1d" });
let userId: string;

beforeAll(async () => {
  userId = (await registerUser(running.url, "Limits")).user.id;
});

const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: object) => jwt.sign({ sub: userId, ...claims }, SECRET, { algorithm: "HS256" });

/** The same token over HTTP and over a socket handshake: 200/connected, or 401/refused. */
async function acceptedOnBothEdges(token: string): Promise<[boolean, boolean]> {
  const http = (await request(running.url, "GET", "/api/me", { token })).status === 200;
  let socket = true;
  try {
    (await connectProjects(running.url, token)).close();
  } catch {
    socket = false;
  }
  return [http, socket];
}

describe("one rule for tokens on every edge", () => {
  it("refuses a token longer than the limit on HTTP as on sockets", async () => {
    const padded = sign({ exp: now() + 60, iat: now(), pad: "x".repeat(MAX_TOKEN_LENGTH) });
    expect(padded.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    expect(await acceptedOnBothEdges(padded)).toEqual([false, false]);
    const fits = sign({ exp: now() + 60, iat: now(), pad: "x".repeat(MAX_TOKEN_LENGTH / 2) });
    expect(await acceptedOnBothEdges(fits)).toEqual([true, true]);
  });

  it("refuses a token issued longer ago than JWT_MAX_AGE, whatever its exp, and one without iat", async () => {
    const ancient = sign({ iat: now() - 2 * 86_400, exp: now() + 10 * 365 * 86_400 });
    expect(await acceptedOnBothEdges(ancient)).toEqual([false, false]);
    const withoutIat = jwt.sign({ sub: userId, exp: now() + 60 }, SECRET, { algorithm: "HS256", noTimestamp: true });
    expect(await acceptedOnBothEdges(withoutIat)).toEqual([false, false]);
    const fromTheFuture = sign({ iat: now() + 3600, exp: now() + 7200 });
    expect(await acceptedOnBothEdges(fromTheFuture)).toEqual([false, false]);
    expect((await refusal(running.url, "/projects", { token: ancient })).data).toEqual({ code: "UNAUTHORIZED" });
  });
});
