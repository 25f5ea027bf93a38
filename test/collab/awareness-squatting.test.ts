import { describe, expect, it } from "vitest";
import type { Awareness } from "y-protocols/awareness";
import { writeAwarenessUpdate } from "../../src/collab/awareness-messages.js";
import { provider } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { rawClient } from "../helpers/raw-yjs.js";
import { roundTrip } from "../helpers/sockets.js";

const running = useService();

function statesUntil(awareness: Awareness, check: (states: Map<number, Record<string, unknown>>) => boolean) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out waiting for awareness")), 5000);
    const test = () => {
      if (!check(awareness.getStates() as Map<number, Record<string, unknown>>)) return;
      clearTimeout(timer);
      awareness.off("change", test);
      resolve();
    };
    awareness.on("change", test);
    test();
  });
}

describe("awareness client ids belong to a user, not a socket", () => {
  it("keeps a victim's id while the victim reconnects: a squatter's announcements are ignored", async () => {
    const team = await projectWithTeam(running.url);
    const watcher = provider(running.url, team.owner.token, team.projectId);
    await watcher.whenSynced();
    const clientId = 777_001;
    const announce = (clock: number, cursor: number) => writeAwarenessUpdate([{ clientId, clock, state: { cursor } }]);

    const victim = await rawClient(running.url, team.editor.token, team.projectId);
    victim.socket.emit("yjs:awareness", team.projectId, announce(1, 1));
    await statesUntil(watcher.awareness, (states) => states.get(clientId)?.cursor === 1);

    victim.socket.close();
    await statesUntil(watcher.awareness, (states) => !states.has(clientId));
    const squatter = await rawClient(running.url, team.viewer.token, team.projectId);
    squatter.socket.emit("yjs:awareness", team.projectId, announce(50, 666));
    await roundTrip(squatter.socket);
    expect(watcher.awareness.getStates().has(clientId)).toBe(false);

    const back = await rawClient(running.url, team.editor.token, team.projectId);
    back.socket.emit("yjs:awareness", team.projectId, announce(2, 2));
    await statesUntil(watcher.awareness, (states) => states.get(clientId)?.cursor === 2);
    expect(watcher.awareness.getStates().get(clientId)?.user).toEqual({ id: team.editor.user.id, name: "Editor" });
  });
});
