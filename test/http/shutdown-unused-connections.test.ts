import net from "node:net";
import { describe, expect, it } from "vitest";
import { startService } from "../helpers/service.js";

/**
 * A browser opens connections it may never send a request on (speculative preconnects). Node does not count them as
 * idle, so without closing them itself the service's shutdown would wait for their headers timeout (a minute).
 */
describe("shutdown", () => {
  it("closes a connection that never sent a request, and does not wait for it", async () => {
    const service = await startService({ JWT_SECRET: "s".repeat(48) });
    const { hostname, port } = new URL(service.url);
    const preconnect = net.connect(Number(port), hostname);
    await new Promise((resolve) => preconnect.once("connect", resolve));
    const ended = new Promise((resolve) => preconnect.once("close", resolve));

    // The default test timeout (20 s) is well under the headers timeout this would otherwise wait for.
    await service.close();
    await ended;
    expect(preconnect.destroyed).toBe(true);
  });
});
