import { describe, expect, it } from "vitest";
import type { ProjectProvider } from "../../src/client/provider.js";
import { writeAwarenessUpdate } from "../../src/collab/awareness-messages.js";
import { awarenessUntil, provider } from "../helpers/collab.js";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { rawClient } from "../helpers/raw-yjs.js";
import { nextEvent, openProject, roundTrip } from "../helpers/sockets.js";

const running = useService({ AWARENESS_CLIENTS_PER_SOCKET: "2" });

describe("awareness", () => {
  it("relays states with the server's identity in `user`, keeping the other fields", async () => {
    const team = await projectWithTeam(running.url);
    const editor = provider(running.url, team.editor.token, team.projectId);
    const owner = provider(running.url, team.owner.token, team.projectId);
    await Promise.all([editor.whenSynced(), owner.whenSynced()]);
    editor.awareness.setLocalState({
      user: { id: "someone-else", name: "The Owner" },
      cursor: { anchor: 3 },
      color: "#f00",
    });
    const editorClient = editor.doc.clientID;
    await awarenessUntil(owner.awareness, (states) => states.has(editorClient));
    expect(owner.awareness.getStates().get(editorClient)).toEqual({
      user: { id: team.editor.user.id, name: "Editor" },
      cursor: { anchor: 3 },
      color: "#f00",
    });
  });

  it("sends a newcomer the states already in the room", async () => {
    const team = await projectWithTeam(running.url);
    const owner = provider(running.url, team.owner.token, team.projectId);
    await owner.whenSynced();
    owner.awareness.setLocalState({ cursor: 1 });
    const viewer = provider(running.url, team.viewer.token, team.projectId);
    await awarenessUntil(viewer.awareness, (states) => states.get(owner.doc.clientID)?.cursor === 1);
  });

  it("removes a socket's states when it leaves by close, switch, disconnect or eviction: no ghosts", async () => {
    const team = await projectWithTeam(running.url);
    const watcher = provider(running.url, team.owner.token, team.projectId);
    await watcher.whenSynced();

    const leaveBy = async (leave: (other: ProjectProvider) => unknown, member = team.editor) => {
      const other = provider(running.url, member.token, team.projectId);
      await other.whenSynced();
      other.awareness.setLocalState({ cursor: 7 });
      const client = other.doc.clientID;
      await awarenessUntil(watcher.awareness, (states) => states.has(client));
      await leave(other);
      await awarenessUntil(watcher.awareness, (states) => !states.has(client));
    };

    await leaveBy((other) => other.disconnect());
    await leaveBy(async (other) => {
      const elsewhere = await request(running.url, "POST", "/api/projects", {
        token: team.editor.token,
        body: { name: "Else" },
      });
      await openProject((other as unknown as { socket: never }).socket, elsewhere.body.project.id);
    });
    await leaveBy(async (other) => {
      const socket = (other as unknown as { socket: { emit(...args: unknown[]): void } }).socket;
      socket.emit("project:close", team.projectId, () => {});
    });
    await leaveBy(
      () =>
        request(running.url, "DELETE", `/api/projects/${team.projectId}/members/${team.viewer.user.id}`, {
          token: team.owner.token,
        }),
      team.viewer,
    );
  });

  it("does not let a socket change or remove a client id another socket owns", async () => {
    const team = await projectWithTeam(running.url);
    const victim = provider(running.url, team.editor.token, team.projectId);
    await victim.whenSynced();
    victim.awareness.setLocalState({ cursor: 1 });
    const attacker = await rawClient(running.url, team.owner.token, team.projectId);
    const watcher = provider(running.url, team.viewer.token, team.projectId);
    await awarenessUntil(watcher.awareness, (states) => states.get(victim.doc.clientID)?.cursor === 1);

    const clientId = victim.doc.clientID;
    attacker.socket.emit(
      "yjs:awareness",
      team.projectId,
      writeAwarenessUpdate([{ clientId, clock: 1000, state: { cursor: 666 } }]),
    );
    attacker.socket.emit(
      "yjs:awareness",
      team.projectId,
      writeAwarenessUpdate([{ clientId, clock: 1001, state: null }]),
    );
    await roundTrip(attacker.socket);
    await roundTrip(attacker.socket);
    expect(watcher.awareness.getStates().get(victim.doc.clientID)).toMatchObject({ cursor: 1 });
  });

  it("limits how many client ids one socket may announce", async () => {
    const team = await projectWithTeam(running.url);
    const client = await rawClient(running.url, team.owner.token, team.projectId);
    const announce = (clientId: number) => writeAwarenessUpdate([{ clientId, clock: 1, state: { n: clientId } }]);
    client.socket.emit("yjs:awareness", team.projectId, announce(101));
    client.socket.emit("yjs:awareness", team.projectId, announce(102));
    const refused = nextEvent(client.socket, "yjs:error");
    client.socket.emit("yjs:awareness", team.projectId, announce(103));
    expect(await refused).toEqual({ projectId: team.projectId, code: "TOO_LARGE" });
  });
});
