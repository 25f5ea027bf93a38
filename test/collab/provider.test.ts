import { describe, expect, it } from "vitest";
import type { ProjectProvider, ProviderStatus } from "../../src/client/provider.js";
import type { OnlineUser, WireError } from "../../src/protocol/events.js";
import { LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES } from "../../src/protocol/wire-bytes.js";
import { provider, until, whenStored } from "../helpers/collab.js";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const running = useService();

function nextProviderEvent<T>(
  target: ProjectProvider,
  event: "status" | "synced" | "presence" | "error" | "access-revoked",
  accept: (value: T) => boolean = () => true,
) {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), 5000);
    const listener = (value: T) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      target.off(event, listener as never);
      resolve(value);
    };
    target.on(event, listener as never);
  });
}

/** Cuts the transport under the provider, as a network drop would; socket.io-client then reconnects by itself. */
function dropConnection(target: ProjectProvider): void {
  (target as unknown as { socket: { io: { engine: { close(): void } } } }).socket.io.engine.close();
}

describe("the client provider", () => {
  it("reports status, synced and presence", async () => {
    const team = await projectWithTeam(running.url);
    const statuses: ProviderStatus[] = [];
    const owner = provider(running.url, team.owner.token, team.projectId, { connect: false });
    owner.on("status", (status) => statuses.push(status));
    owner.connect();
    await owner.whenSynced();
    expect(statuses).toEqual(["connecting", "connected"]);
    expect(owner.synced).toBe(true);
    const presence = nextProviderEvent<OnlineUser[]>(owner, "presence", (online) => online.length === 2);
    provider(running.url, team.viewer.token, team.projectId);
    expect((await presence).map((user) => user.name).sort()).toEqual(["Owner", "Viewer"]);
  });

  it("reconnects after a dropped connection, reopens, resyncs and merges what was edited meanwhile", async () => {
    const team = await projectWithTeam(running.url);
    const owner = provider(running.url, team.owner.token, team.projectId);
    const editor = provider(running.url, team.editor.token, team.projectId);
    await Promise.all([owner.whenSynced(), editor.whenSynced()]);
    owner.doc.getText("body").insert(0, "before ");
    await until(editor.doc, () => editor.doc.getText("body").toString() === "before ");

    const disconnected = nextProviderEvent<ProviderStatus>(editor, "status", (status) => status === "disconnected");
    dropConnection(editor);
    await disconnected;
    editor.doc.getText("body").insert(7, "offline ");
    owner.doc.getText("body").insert(0, "online ");
    await editor.whenSynced();
    const merged = () => owner.doc.getText("body").toString();
    await until(owner.doc, () => merged().includes("offline"));
    await until([editor.doc, owner.doc], () => editor.doc.getText("body").toString() === merged());
    expect(merged()).toBe("online before offline ");
    await whenStored(editor);
  });

  it("opens a document past the text limit for one socket, which the open's ack carries as binary", async () => {
    const team = await projectWithTeam(running.url);
    const owner = provider(running.url, team.owner.token, team.projectId);
    await owner.whenSynced();
    const text = "z".repeat(2 * LARGEST_TEXT_PAYLOAD_TO_ONE_BYTES);
    owner.doc.getText("body").insert(0, text);
    await whenStored(owner);
    const viewer = provider(running.url, team.viewer.token, team.projectId);
    await viewer.whenSynced();
    expect(viewer.doc.getText("body").toString()).toBe(text);
  });

  it("stops and says so when access is revoked", async () => {
    const team = await projectWithTeam(running.url);
    const viewer = provider(running.url, team.viewer.token, team.projectId);
    await viewer.whenSynced();
    const revoked = nextProviderEvent(viewer, "access-revoked");
    await request(running.url, "DELETE", `/api/projects/${team.projectId}/members/${team.viewer.user.id}`, {
      token: team.owner.token,
    });
    await revoked;
    expect(viewer.status).toBe("disconnected");
  });

  it("reports a refused open as an error", async () => {
    const team = await projectWithTeam(running.url);
    const outsider = provider(running.url, team.outsider.token, team.projectId, { connect: false });
    const error = nextProviderEvent<WireError>(outsider, "error");
    outsider.connect();
    expect((await error).code).toBe("NOT_FOUND");
    const unauthorized = provider(running.url, "not-a-token", team.projectId, { connect: false });
    const refused = nextProviderEvent<WireError>(unauthorized, "error");
    unauthorized.connect();
    expect((await refused).code).toBe("UNAUTHORIZED");
  });
});
