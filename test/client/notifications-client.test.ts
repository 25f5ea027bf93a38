import jwt from "jsonwebtoken";
import { afterEach, describe, expect, it } from "vitest";
import { ApiClient, type Notification, NotificationsClient } from "../../src/client/index.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const running = useService({ JWT_EXPIRES_IN: "3s" });
const clients: NotificationsClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

function notifications(token: string | (() => Promise<string>)) {
  const client = new NotificationsClient({
    url: running.url,
    token,
    socketOptions: { transports: ["websocket"], forceNew: true, reconnectionDelay: 50 },
  });
  clients.push(client);
  return client;
}

const next = (client: NotificationsClient, type: Notification["type"]) =>
  new Promise<Notification>((resolve) => {
    const listener = (notification: Notification) => {
      if (notification.type !== type) return;
      client.off("notification", listener);
      resolve(notification);
    };
    client.on("notification", listener);
  });

const connected = (client: NotificationsClient) =>
  new Promise<void>((resolve) => {
    if (client.status === "connected") resolve();
    else client.on("status", (status) => status === "connected" && resolve());
  });

describe("NotificationsClient", () => {
  it("delivers typed notifications and keeps the socket past the token's expiry by renewing it", async () => {
    const team = await projectWithTeam(running.url);
    const api = new ApiClient({ url: running.url, token: team.editor.token });
    const issued: string[] = [];
    const client = notifications(async () => {
      issued.push(await api.freshToken());
      return issued.at(-1) as string;
    });
    await connected(client);
    let dropped = 0;
    client.on("status", (status) => status === "disconnected" && dropped++);

    // Past the first token's expiry, on the same socket.
    const { exp } = jwt.decode(issued[0] as string) as { exp: number };
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 1000));
    expect(new Set(issued).size).toBeGreaterThanOrEqual(2);
    expect(dropped).toBe(0);

    const owner = new ApiClient({ url: running.url });
    await owner.login({ email: team.owner.email, password: "correct horse battery" });
    const changed = next(client, "role-changed");
    await owner.changeRole(team.projectId, team.editor.user.id, "viewer");
    expect(await changed).toMatchObject({ type: "role-changed", projectId: team.projectId, role: "viewer" });
  }, 20_000);

  it("names a refused token and stops", async () => {
    const client = notifications("not a token");
    const refused = new Promise((resolve) => client.on("connection-error", resolve));
    expect(await refused).toMatchObject({ code: "UNAUTHORIZED" });
    expect(client.status).toBe("disconnected");
  });
});
