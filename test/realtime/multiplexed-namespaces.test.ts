import { Manager } from "socket.io-client";
import { describe, expect, it } from "vitest";
import { registerUser } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { openProject, type ProjectsClient } from "../helpers/sockets.js";

const running = useService();

async function connected(socket: ReturnType<Manager["socket"]>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
}

describe("namespaces sharing one connection", () => {
  it("accepts /notifications on a connection whose /projects handshake passed, from the service's own page", async () => {
    const { token } = await registerUser(running.url, "Tabs");
    const project = await (
      await fetch(`${running.url}/api/projects`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: "Shared" }),
      })
    ).json();
    // One Engine.IO connection, as a browser page with the provider and the notifications client has.
    const manager = new Manager(running.url, {
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: { origin: running.url },
    });
    try {
      const projects = manager.socket("/projects", { auth: { token } }) as unknown as ProjectsClient;
      await connected(projects);
      const notifications = manager.socket("/notifications", { auth: { token } });
      await connected(notifications);
      expect(await openProject(projects, project.project.id)).toMatchObject({ ok: true });
      // A later handshake on the same connection is still authenticated like the first.
      const forged = manager.socket("/admin", { auth: { token: "not a token" } });
      await expect(connected(forged)).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    } finally {
      manager.engine?.close();
    }
  });
});
