import { describe, expect, it } from "vitest";
import { fetchDocument } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { createProject, projectWithTeam } from "../helpers/projects.js";
import { insertion, rawClient, updateMessage } from "../helpers/raw-yjs.js";
import { connectProjects, openProject, record, roundTrip } from "../helpers/sockets.js";

const running = useService();

describe("document traffic belongs to the open project only", () => {
  it("refuses an update for A after the socket switched to B, and it never lands in B", async () => {
    const team = await projectWithTeam(running.url);
    const projectB = await createProject(running.url, team.owner.token, "B");
    const client = await rawClient(running.url, team.owner.token, team.projectId);
    expect((await openProject(client.socket, projectB)).ok).toBe(true);
    const response = await client.sync(team.projectId, updateMessage(insertion("meant for A")));
    expect(response).toMatchObject({ ok: false, error: { code: "NOT_OPEN" } });
    expect((await fetchDocument(running.url, team.owner.token, projectB)).getText("body").toString()).toBe("");
    expect((await fetchDocument(running.url, team.owner.token, team.projectId)).getText("body").toString()).toBe("");
  });

  it("refuses document traffic from a socket with no project open, and from non-members", async () => {
    const team = await projectWithTeam(running.url);
    const idle = await connectProjects(running.url, team.outsider.token);
    const ack = await (
      idle.timeout(5000) as unknown as { emitWithAck(...args: unknown[]): Promise<unknown> }
    ).emitWithAck("yjs:sync", team.projectId, updateMessage(insertion("intruder")));
    expect(ack).toMatchObject({ ok: false, error: { code: "NOT_OPEN" } });
    expect((await fetchDocument(running.url, team.owner.token, team.projectId)).getText("body").toString()).toBe("");
  });

  it("never shows updates in project A to sockets in project B", async () => {
    const teamA = await projectWithTeam(running.url);
    const teamB = await projectWithTeam(running.url);
    const writer = await rawClient(running.url, teamA.owner.token, teamA.projectId);
    const reader = await rawClient(running.url, teamB.owner.token, teamB.projectId);
    const seen = record(reader.socket, "yjs:sync");
    const seenAwareness = record(reader.socket, "yjs:awareness");
    expect(await writer.sync(teamA.projectId, updateMessage(insertion("private to A")))).toEqual({ ok: true });
    await roundTrip(reader.socket);
    expect(seen).toEqual([]);
    expect(seenAwareness).toEqual([]);
    expect(reader.doc.getText("body").toString()).toBe("");
  });
});
