import { describe, expect, it } from "vitest";
import { registerUser } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { connectProjects } from "../helpers/sockets.js";

const running = useService();
const allowList = useService({ CORS_ORIGINS: "https://editor.example" });

describe("origins allowed to open a WebSocket", () => {
  it("allows clients without an Origin, and the service's own origin by default", async () => {
    const { token } = await registerUser(running.url, "Origin");
    expect((await connectProjects(running.url, token)).connected).toBe(true);
    const own = await connectProjects(running.url, token, { extraHeaders: { origin: running.url } });
    expect(own.connected).toBe(true);
  });

  it("refuses a WebSocket from a page of another origin, saying why", async () => {
    const { token } = await registerUser(running.url, "Foreign");
    await expect(
      connectProjects(running.url, token, { extraHeaders: { origin: "https://evil.example" } }),
    ).rejects.toMatchObject({ data: { code: "ORIGIN_REFUSED" } });
    await expect(
      connectProjects(running.url, token, {
        transports: ["polling"],
        extraHeaders: { origin: "https://evil.example" },
      }),
    ).rejects.toThrow();
  });

  it("allows exactly the configured origins when CORS_ORIGINS is set", async () => {
    const { token } = await registerUser(allowList.url, "Listed");
    const listed = await connectProjects(allowList.url, token, { extraHeaders: { origin: "https://editor.example" } });
    expect(listed.connected).toBe(true);
    await expect(connectProjects(allowList.url, token, { extraHeaders: { origin: allowList.url } })).rejects.toThrow();
  });
});
