import { describe, expect, it } from "vitest";
import { registerUser } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { rawEngineClient } from "../helpers/raw-engine.js";
import { connectProjects } from "../helpers/sockets.js";

const running = useService();

describe("connections that never join a namespace", () => {
  it("are closed once they send more than a handshake needs, not at the connect timeout", async () => {
    const stranger = await rawEngineClient(running.url);
    // Three attachments announced and two sent: the decoder would hold them, for nobody, until the third.
    stranger.ws.send(`453-/projects,["yjs:sync",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`);
    stranger.ws.send(Buffer.alloc(1024 * 1024));
    stranger.ws.send(Buffer.alloc(1024 * 1024));
    const guard = new Promise((_, reject) => setTimeout(() => reject(new Error("still open after 3 s")), 3000));
    await Promise.race([stranger.closed, guard]);

    // Everyone else is served as before.
    const user = await registerUser(running.url, "After");
    const socket = await connectProjects(running.url, user.token);
    expect(socket.connected).toBe(true);
  });

  it("may not announce more binary attachments than any event takes", async () => {
    const user = await registerUser(running.url, "Many");
    const client = await rawEngineClient(running.url);
    client.ws.send(`40/projects,${JSON.stringify({ token: user.token })}`);
    client.ws.send(`4550-/projects,["yjs:sync","x",{"_placeholder":true,"num":0}]`);
    await client.closed;
  });
});
