import { describe, expect, it } from "vitest";
import type { ConnectionError, SaveState } from "../../src/client/index.js";
import { provider, whenStored } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { freePort } from "../helpers/redis.js";

const running = useService();

function nextConnectionError(target: ReturnType<typeof provider>): Promise<ConnectionError> {
  return new Promise((resolve) => target.once("connection-error", resolve));
}

describe("the provider says what is wrong and whether changes are saved", () => {
  it("names connection failures: unreachable, refused origin, refused token", async () => {
    const team = await projectWithTeam(running.url);
    const nowhere = provider(`http://127.0.0.1:${await freePort()}`, team.owner.token, team.projectId);
    expect((await nextConnectionError(nowhere)).code).toBe("UNREACHABLE");
    expect(nowhere.status).toBe("connecting");

    const foreign = provider(running.url, team.owner.token, team.projectId, {
      socketOptions: { extraHeaders: { origin: "https://evil.example" } },
    });
    expect((await nextConnectionError(foreign)).code).toBe("ORIGIN_REFUSED");
    const badToken = provider(running.url, "not a token", team.projectId);
    expect((await nextConnectionError(badToken)).code).toBe("UNAUTHORIZED");
    expect(badToken.status).toBe("disconnected");
  });

  it("reports saved, offline-unsaved and saving as the connection and the acks go", async () => {
    const team = await projectWithTeam(running.url);
    const editor = provider(running.url, team.editor.token, team.projectId);
    await editor.whenSynced();
    const states: SaveState[] = [];
    editor.on("save-state", (state) => states.push(state));
    expect(editor.saveState).toBe("saved");

    editor.disconnect();
    editor.doc.getText("body").insert(0, "offline");
    await Promise.resolve();
    expect(editor.saveState).toBe("offline-unsaved");
    expect(editor.unsyncedChanges).toBe(1);
    editor.connect();
    await editor.whenSynced();
    await whenStored(editor);
    expect(editor.saveState).toBe("saved");
    expect(states[0]).toBe("offline-unsaved");
    expect(states.at(-1)).toBe("saved");
  });
});
