import { describe, expect, it } from "vitest";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";

const running = useService({ AUTH_RATE_LIMIT_PER_MINUTE: "5" });

describe("rate limit on /api/auth", () => {
  it("answers 429 RATE_LIMITED past the configured number of requests per minute", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const response = await request(running.url, "POST", "/api/auth/login", {
        body: { email: "nobody@example.test", password: "whatever" },
      });
      statuses.push(response.status);
      if (response.status === 429) expect(response.body.error.code).toBe("RATE_LIMITED");
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it("does not limit other endpoints", async () => {
    for (let i = 0; i < 10; i++) expect((await request(running.url, "GET", "/healthz")).status).toBe(200);
  });
});
