import { describe, expect, it } from "vitest";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";

const running = useService();

describe("accounts: register, login and /api/me", () => {
  it("registers, logs in and returns the caller without the password hash", async () => {
    const registered = await request(running.url, "POST", "/api/auth/register", {
      body: { email: "Ada@Example.test ", password: "correct horse battery", name: "Ada" },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.user).toMatchObject({ email: "ada@example.test", name: "Ada" });
    expect(typeof registered.body.token).toBe("string");
    expect(JSON.stringify(registered.body)).not.toMatch(/password/i);

    const login = await request(running.url, "POST", "/api/auth/login", {
      body: { email: "ada@example.test", password: "correct horse battery" },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(registered.body.user.id);

    const me = await request(running.url, "GET", "/api/me", { token: login.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual(registered.body.user);
    expect(JSON.stringify(me.body)).not.toMatch(/password/i);
  });

  it("refuses a duplicate email with 409, case-insensitively", async () => {
    const body = { email: "dup@example.test", password: "correct horse battery", name: "Dup" };
    expect((await request(running.url, "POST", "/api/auth/register", { body })).status).toBe(201);
    const again = await request(running.url, "POST", "/api/auth/register", {
      body: { ...body, email: "DUP@example.test" },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("CONFLICT");
  });

  it("lets exactly one of several concurrent registrations of one email win", async () => {
    const body = { email: "race@example.test", password: "correct horse battery", name: "Race" };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => request(running.url, "POST", "/api/auth/register", { body })),
    );
    expect(results.map((result) => result.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });

  it("answers wrong password and unknown email with the same 401", async () => {
    await request(running.url, "POST", "/api/auth/register", {
      body: { email: "known@example.test", password: "correct horse battery", name: "Known" },
    });
    const wrongPassword = await request(running.url, "POST", "/api/auth/login", {
      body: { email: "known@example.test", password: "wrong password!" },
    });
    const unknownEmail = await request(running.url, "POST", "/api/auth/login", {
      body: { email: "nobody@example.test", password: "wrong password!" },
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.body).toEqual(unknownEmail.body);
    expect(wrongPassword.body.error.code).toBe("UNAUTHORIZED");
  });

  it("validates register and login bodies", async () => {
    const cases: unknown[] = [
      {},
      { email: "not-an-email", password: "correct horse battery", name: "X" },
      { email: "short@example.test", password: "short", name: "X" },
      { email: "noname@example.test", password: "correct horse battery", name: "" },
      { email: { $gt: "" }, password: "correct horse battery", name: "X" },
      { email: "x@example.test", password: { $ne: null }, name: "X" },
      { email: "long@example.test", password: "correct horse battery", name: "n".repeat(101) },
      [1, 2, 3],
    ];
    for (const body of cases) {
      const response = await request(running.url, "POST", "/api/auth/register", { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe("VALIDATION");
    }
    const operatorLogin = await request(running.url, "POST", "/api/auth/login", {
      body: { email: { $gt: "" }, password: "anything" },
    });
    expect(operatorLogin.status).toBe(400);
  });
});
