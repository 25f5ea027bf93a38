import { describe, expect, it } from "vitest";
import { writeAwarenessUpdate } from "../../src/collab/awareness-messages.js";
import { awarenessUntil, provider } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { rawClient } from "../helpers/raw-yjs.js";
import { roundTrip } from "../helpers/sockets.js";

const running = useService();

describe("awareness client ids belong to a user, not a socket", () => {
  it("keeps a victim's id while the victim reconnects: a squatter's announcements are ignored", async () => {
    const team = await projectWithTeam(running.url);
    const watcher = provider(running.url, team.owner.token, team.projectId);
    await watcher.whenSynced();
    const clientId = 777_001;
    const announce = (clock: number, cursor: number) => writeAwarenessUpdate([{ clientId, clock, state: { cursor } }]);

    const victim = await rawClient(running.url, team.editor.token, team.projectId);
    victim.socket.emit("yjs:awareness", team.projectId, announce(1, 1));
    await awarenessUntil(watcher.awareness, (states) => states.get(clientId)?.cursor === 1);

    victim.socket.close();
    await awarenessUntil(watcher.awareness, (states) => !states.has(clientId));
    const squatter = await rawClient(running.url, team.viewer.token, team.projectId);
    squatter.socket.emit("yjs:awareness", team.projectId, announce(50, 666));
    await roundTrip(squatter.socket);
    expect(watcher.awareness.getStates().has(clientId)).toBe(false);

    const back = await rawClient(running.url, team.editor.token, team.projectId);
    back.socket.emit("yjs:awareness", team.projectId, announce(2, 2));
    await awarenessUntil(watcher.awareness, (states) => states.get(clientId)?.cursor === 2);
    expect(watcher.awareness.getStates().get(clientId)?.user).toEqual({ id: team.editor.user.id, name: "Editor" });
  });
});
