import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { MAX_CLOCK_ADVANCE } from "../../src/collab/client-ids.js";
import { fetchDocument, provider, until, untilUnloaded, whenStored } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { rawClient, updateMessage } from "../helpers/raw-yjs.js";

const running = useService({ DOC_UNLOAD_DELAY_MS: "0" });

/** The 10-byte forgery: one GC struct claiming `length` operations of `client` from `clock` on, no deletions. */
function forgedGc(client: number, clock: number, length: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1); // clients
  encoding.writeVarUint(encoder, 1); // structs of that client
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, clock);
  encoding.writeUint8(encoder, 0); // GC
  encoding.writeVarUint(encoder, length);
  encoding.writeVarUint(encoder, 0); // delete set: no clients
  return encoding.toUint8Array(encoder);
}

function typeInto(doc: Y.Doc, text: string): Uint8Array {
  const before = Y.encodeStateVector(doc);
  doc.getText("body").insert(doc.getText("body").length, text);
  return Y.encodeStateAsUpdate(doc, before);
}

describe("Yjs client ids belong to the user who first wrote under them", () => {
  it("refuses a forged struct under a colleague's client id, and the colleague's edits are still stored", async () => {
    const team = await projectWithTeam(running.url);
    const victim = await rawClient(running.url, team.editor.token, team.projectId);
    const attacker = await rawClient(running.url, team.owner.token, team.projectId);
    const local = new Y.Doc();
    expect(await victim.sync(team.projectId, updateMessage(typeInto(local, "first ")))).toEqual({ ok: true });

    const clock = Y.getState(local.store, local.clientID);
    const forged = forgedGc(local.clientID, clock, 2 ** 40);
    expect(forged.byteLength).toBeLessThanOrEqual(16);
    const refused = await attacker.sync(team.projectId, updateMessage(forged));
    expect(refused).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });

    // The edit the attack aimed to swallow: acked, and really there.
    expect(await victim.sync(team.projectId, updateMessage(typeInto(local, "second")))).toEqual({ ok: true });
    const stored = await fetchDocument(running.url, team.viewer.token, team.projectId);
    expect(stored.getText("body").toString()).toBe("first second");
  });

  it("refuses an absurd clock advance even under the sender's own new client id", async () => {
    const team = await projectWithTeam(running.url);
    const editor = await rawClient(running.url, team.editor.token, team.projectId);
    const response = await editor.sync(team.projectId, updateMessage(forgedGc(424242, 0, MAX_CLOCK_ADVANCE + 1)));
    expect(response).toMatchObject({ ok: false, error: { code: "INVALID_UPDATE" } });
    // Within the bound, a deletion-sized GC run is an ordinary change.
    expect(await editor.sync(team.projectId, updateMessage(forgedGc(434343, 0, 1000)))).toEqual({ ok: true });
  });

  it("keeps the binding across an unload (stored with the document)", async () => {
    const team = await projectWithTeam(running.url);
    const victim = await rawClient(running.url, team.editor.token, team.projectId);
    const local = new Y.Doc();
    expect(await victim.sync(team.projectId, updateMessage(typeInto(local, "mine")))).toEqual({ ok: true });
    victim.socket.close();
    await untilUnloaded(running.service.documents, team.projectId);

    const attacker = await rawClient(running.url, team.owner.token, team.projectId);
    const forged = forgedGc(local.clientID, Y.getState(local.store, local.clientID), 5);
    expect(await attacker.sync(team.projectId, updateMessage(forged))).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
  });

  it("merges several users' offline edits, each carrying the others' known changes", async () => {
    const team = await projectWithTeam(running.url);
    const alice = provider(running.url, team.owner.token, team.projectId);
    const bob = provider(running.url, team.editor.token, team.projectId);
    await Promise.all([alice.whenSynced(), bob.whenSynced()]);
    alice.doc.getText("body").insert(0, "A1 ");
    await until(bob.doc, () => bob.doc.getText("body").toString().includes("A1"));
    bob.doc.getText("body").insert(0, "B1 ");
    await until(alice.doc, () => alice.doc.getText("body").toString().includes("B1"));

    alice.disconnect();
    bob.disconnect();
    alice.doc.getText("body").insert(0, "A2 ");
    bob.doc.getText("body").insert(bob.doc.getText("body").length, "B2");
    alice.connect();
    bob.connect();
    await until([alice.doc, bob.doc], () => {
      const text = alice.doc.getText("body").toString();
      return text === bob.doc.getText("body").toString() && text.includes("A2") && text.includes("B2");
    });
    await Promise.all([whenStored(alice), whenStored(bob)]);
    const stored = await fetchDocument(running.url, team.viewer.token, team.projectId);
    expect(stored.getText("body").toString()).toBe(alice.doc.getText("body").toString());
  });
});
