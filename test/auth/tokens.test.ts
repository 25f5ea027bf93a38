import jwt from "jsonwebtoken";
import { beforeAll, describe, expect, it } from "vitest";
import { registerUser, request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";

const SECRET = "s".repeat(48);
const running = useService({ JWT_SECRET: SECRET, JWT_EXPIRES_IN: "2s" });
let userId: string;

beforeAll(async () => {
  userId = (await registerUser(running.url, "Tok")).user.id;
});

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

async function meWith(token: string | undefined, header?: string) {
  return request(running.url, "GET", "/api/me", header ? { headers: { authorization: header } } : { token });
}

describe("tokens: one pinned algorithm, expiry enforced", () => {
  it("accepts a token it issued", async () => {
    const token = jwt.sign({}, SECRET, { algorithm: "HS256", subject: userId, expiresIn: 60 });
    expect((await meWith(token)).status).toBe(200);
  });

  it("refuses missing, malformed and foreign tokens with 401 UNAUTHORIZED", async () => {
    const forged = jwt.sign({}, "another secret that is long enough!!", {
      algorithm: "HS256",
      subject: userId,
      expiresIn: 60,
    });
    const algNone = `${base64url({ alg: "none", typ: "JWT" })}.${base64url({ sub: userId, exp: Math.floor(Date.now() / 1000) + 60 })}.`;
    const otherAlgorithm = jwt.sign({}, SECRET, { algorithm: "HS512", subject: userId, expiresIn: 60 });
    const withoutExpiry = jwt.sign({ sub: userId }, SECRET, { algorithm: "HS256" });
    const expired = jwt.sign({ sub: userId, exp: Math.floor(Date.now() / 1000) - 10 }, SECRET, { algorithm: "HS256" });
    const unknownUser = jwt.sign({}, SECRET, {
      algorithm: "HS256",
      subject: "0123456789abcdef01234567",
      expiresIn: 60,
    });
    const badSubject = jwt.sign({}, SECRET, { algorithm: "HS256", subject: "not-an-id", expiresIn: 60 });
    for (const token of [forged, algNone, otherAlgorithm, withoutExpiry, expired, unknownUser, badSubject, "garbage"]) {
      const response = await meWith(token);
      expect(response.status, token).toBe(401);
      expect(response.body).toEqual({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
    }
    expect((await meWith(undefined)).status).toBe(401);
    expect((await meWith(undefined, "Basic abc")).status).toBe(401);
  });

  it("stops accepting its own token once it expires", async () => {
    const login = await registerUser(running.url, "Expiring");
    expect((await meWith(login.token)).status).toBe(200);
    const { exp } = jwt.decode(login.token) as { exp: number };
    // Wait for the clock to pass `exp` (seconds resolution), not a fixed sleep.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now() + 50)));
    expect((await meWith(login.token)).status).toBe(401);
  });
});
