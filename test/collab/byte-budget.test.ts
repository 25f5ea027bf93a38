import { randomBytes } from "node:crypto";
import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { AckResponse } from "../../src/protocol/events.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { type RawClient, rawClient, updateMessage } from "../helpers/raw-yjs.js";

const running = useService({
  MAX_DOCUMENT_BYTES: String(2 * 1024 * 1024),
  DOC_BYTES_PER_SECOND: String(16 * 1024),
});

/** A sync step 2 holding the whole document again: nothing new, but every byte must be decoded. */
function noOpStep2(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  syncProtocol.writeSyncStep2(encoder, doc);
  return encoding.toUint8Array(encoder);
}

/** Sends no-op step 2s until one is refused; how many were accepted, and the refusal. */
async function sendUntilRefused(client: RawClient, projectId: string, message: Uint8Array) {
  for (let accepted = 0; accepted < 20; accepted++) {
    const response: AckResponse = await client.sync(projectId, message);
    if (!response.ok) return { accepted, code: response.error.code };
  }
  throw new Error("never refused");
}

describe("byte budgets", () => {
  it("count the bytes a socket makes the server decode, per socket and per user", async () => {
    const team = await projectWithTeam(running.url);
    const editor = await rawClient(running.url, team.editor.token, team.projectId);
    const doc = new Y.Doc();
    doc.getText("body").insert(0, randomBytes(300_000).toString("hex"));
    expect(await editor.sync(team.projectId, updateMessage(Y.encodeStateAsUpdate(doc)))).toEqual({ ok: true });
    const replay = noOpStep2(doc);

    // Each socket may burst up to MAX_DOCUMENT_BYTES (its own sync answer included), then it is refused.
    const first = await rawClient(running.url, team.viewer.token, team.projectId);
    const refusedFirst = await sendUntilRefused(first, team.projectId, replay);
    expect(refusedFirst.code).toBe("RATE_LIMITED");
    expect(refusedFirst.accepted).toBeLessThanOrEqual(3);
    const second = await rawClient(running.url, team.viewer.token, team.projectId);
    expect((await sendUntilRefused(second, team.projectId, replay)).code).toBe("RATE_LIMITED");

    // The user's budget (twice a socket's) is spent: a third socket of the same user is refused at once,
    const third = await rawClient(running.url, team.viewer.token, team.projectId);
    expect(await third.sync(team.projectId, replay)).toMatchObject({ ok: false, error: { code: "RATE_LIMITED" } });
    // while another user, and ordinary typing, are untouched.
    const owner = await rawClient(running.url, team.owner.token, team.projectId);
    expect(await owner.sync(team.projectId, replay)).toEqual({ ok: true });
    const before = Y.encodeStateVector(doc);
    doc.getText("body").insert(0, "typing");
    expect(await editor.sync(team.projectId, updateMessage(Y.encodeStateAsUpdate(doc, before)))).toEqual({ ok: true });
  });
});
