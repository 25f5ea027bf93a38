import { describe, expect, it } from "vitest";
import { useService } from "../helpers/lifecycle.js";

const EDITOR = "https://editor.example.test";
const running = useService({ CORS_ORIGINS: `${EDITOR}, https://other.example.test` });

function preflight(origin: string) {
  return fetch(`${running.url}/api/me`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "GET",
      "access-control-request-headers": "authorization",
    },
  });
}

describe("CORS on the HTTP API", () => {
  it("answers a configured origin's preflight, allowing the Authorization header", async () => {
    const response = await preflight(EDITOR);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(EDITOR);
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("marks a configured origin's responses readable, errors included, and exposes the request id", async () => {
    const response = await fetch(`${running.url}/api/me`, { headers: { origin: EDITOR } });
    expect(response.status).toBe(401);
    expect(response.headers.get("access-control-allow-origin")).toBe(EDITOR);
    expect(response.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("x-request-id");
  });

  it("gives any other origin nothing a browser would accept", async () => {
    const response = await preflight("https://evil.example.test");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const read = await fetch(`${running.url}/healthz`, { headers: { origin: "https://evil.example.test" } });
    expect(read.headers.get("access-control-allow-origin")).toBeNull();
  });
});
