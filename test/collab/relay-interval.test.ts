import * as decoding from "lib0/decoding";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { until } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { bytesOf, insertion, rawClient, updateMessage } from "../helpers/raw-yjs.js";

// Long enough that the two changes below surely land inside one interval, on a loaded CI machine too.
const running = useService({ DOC_RELAY_INTERVAL_MS: "1000" });

describe("relaying a busy document", () => {
  it("relays a change after a quiet spell at once, and what follows within the interval as one merged message", async () => {
    const team = await projectWithTeam(running.url);
    const first = await rawClient(running.url, team.owner.token, team.projectId);
    const second = await rawClient(running.url, team.editor.token, team.projectId);
    const reader = await rawClient(running.url, team.viewer.token, team.projectId);
    const relayed: Uint8Array[] = [];
    reader.socket.on("yjs:sync", (_projectId, message) => relayed.push(bytesOf(message)));
    const text = () => reader.doc.getText("body").toString();

    expect(await first.sync(team.projectId, updateMessage(insertion("one")))).toEqual({ ok: true });
    await until(reader.doc, () => text() === "one");
    // One after the other, from two clients: not merely two changes that arrived in one event-loop turn.
    expect(await first.sync(team.projectId, updateMessage(insertion("two")))).toEqual({ ok: true });
    expect(await second.sync(team.projectId, updateMessage(insertion("three")))).toEqual({ ok: true });
    await until(reader.doc, () => text().includes("two") && text().includes("three"));

    expect(relayed).toHaveLength(2);
    const decoder = decoding.createDecoder(relayed[1] as Uint8Array);
    expect(decoding.readVarUint(decoder)).toBe(2);
    const merged = new Y.Doc();
    Y.applyUpdate(merged, decoding.readVarUint8Array(decoder));
    expect(merged.getText("body").toString()).toHaveLength("twothree".length);
  });
});
