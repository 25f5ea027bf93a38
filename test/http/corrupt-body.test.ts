import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { useService } from "../helpers/lifecycle.js";

const running = useService();

describe("request bodies that cannot be read", () => {
  it("answers a corrupt gzip body with 400 VALIDATION, and a good one normally", async () => {
    const body = JSON.stringify({ email: "gz@example.test", password: "correct horse battery", name: "Gz" });
    const corrupt = gzipSync(body).subarray(0, 20);
    const refused = await fetch(`${running.url}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: Buffer.concat([corrupt, Buffer.from("not gzip at all")]),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: { code: "VALIDATION", message: "request body could not be read" } });

    const accepted = await fetch(`${running.url}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(body),
    });
    expect(accepted.status).toBe(201);
  });
});
