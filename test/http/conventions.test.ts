import { describe, expect, it } from "vitest";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";

const running = useService();

describe("HTTP conventions", () => {
  it("answers malformed JSON with 400 VALIDATION and no stack trace", async () => {
    const response = await request(running.url, "POST", "/api/auth/register", { body: '{"email": "a@b.c",' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: "VALIDATION", message: expect.any(String) } });
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it("answers an oversized body with 413 TOO_LARGE", async () => {
    const response = await request(running.url, "POST", "/api/auth/register", {
      body: { email: "big@example.test", password: "correct horse battery", name: "x".repeat(200 * 1024) },
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe("TOO_LARGE");
  });

  it("answers unknown endpoints with 404 in the same error shape", async () => {
    const response = await request(running.url, "GET", "/api/nothing-here");
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });
  });

  it("reports liveness and readiness", async () => {
    expect((await request(running.url, "GET", "/healthz")).body).toEqual({ status: "ok", node: expect.any(String) });
    const ready = await request(running.url, "GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("ready");
  });

  it("sets security headers and a request id, and keeps a sane one given by the caller", async () => {
    const response = await request(running.url, "GET", "/healthz", { headers: { "x-request-id": "trace-123" } });
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toBeTruthy();
    expect(response.headers.get("x-powered-by")).toBeNull();
    expect(response.headers.get("x-request-id")).toBe("trace-123");
    const generated = await request(running.url, "GET", "/healthz", {
      headers: { "x-request-id": "bad id\twith\ttabs" },
    });
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends no CORS headers unless CORS_ORIGINS names the origin", async () => {
    const response = await fetch(`${running.url}/api/me`, {
      method: "OPTIONS",
      headers: { origin: "https://editor.example.test", "access-control-request-method": "GET" },
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("keeps serving after a burst of bad requests", async () => {
    const bad = Array.from({ length: 30 }, (_, i) =>
      request(running.url, "POST", "/api/auth/login", { body: i % 2 ? "{nope" : { email: [i] } }),
    );
    for (const response of await Promise.all(bad)) expect(response.status).toBe(400);
    expect((await request(running.url, "GET", "/healthz")).status).toBe(200);
  });
});
