import { afterEach, describe, expect, it } from "vitest";
import type { DrainingPayload } from "../../src/protocol/events.js";
import { destroyProviders, fetchDocument, provider, whenStored } from "../helpers/collab.js";
import { registerUser, request } from "../helpers/http.js";
import { projectWithTeam } from "../helpers/projects.js";
import { startService, type TestService } from "../helpers/service.js";
import {
  adminCall,
  closeAllSockets,
  connectAdmin,
  connectNotifications,
  connectProjects,
  disconnected,
  nextEvent,
  openProject,
  refusal,
} from "../helpers/sockets.js";

const ADMIN_EMAIL = `drainer-${process.pid}@example.test`;
const DRAIN_SECONDS = 2;

describe("draining a node", () => {
  let running: TestService | undefined;
  afterEach(async () => {
    destroyProviders();
    closeAllSockets();
    await running?.close();
  });

  it("refuses what is new, tells and disconnects every socket over DRAIN_SECONDS, and stores every edit", async () => {
    running = await startService({ ADMIN_EMAILS: ADMIN_EMAIL, DRAIN_SECONDS: String(DRAIN_SECONDS) });
    const { url, service } = running;
    const admin = await connectAdmin(url, (await registerUser(url, "Root", ADMIN_EMAIL)).token);
    const team = await projectWithTeam(url);
    const writer = provider(url, team.editor.token, team.projectId);
    await writer.whenSynced();
    // Opened now, it is among the last to be disconnected: it can still try to open during the drain.
    const notifications = await connectNotifications(url, team.owner.token);
    const late = await connectProjects(url, team.owner.token);
    const told = [late, notifications, admin].map((socket) => nextEvent<DrainingPayload>(socket, "server:draining"));
    const gone = [late, notifications, admin].map(disconnected);

    writer.doc.getText("body").insert(0, "typed just before the drain;");
    await whenStored(writer);
    const started = Date.now();
    expect(await adminCall(admin, "node:drain", {})).toEqual({ ok: true, node: "node" });
    const readiness = await request(url, "GET", "/readyz");
    expect(readiness.status).toBe(503);
    expect(readiness.body).toEqual({ error: { code: "DRAINING", message: expect.any(String) } });
    expect((await refusal(url, "/projects", { token: team.viewer.token })).data).toEqual({ code: "DRAINING" });
    expect(await openProject(late, team.projectId)).toMatchObject({ ok: false, error: { code: "DRAINING" } });

    for (const payload of await Promise.all(told)) expect(payload).toEqual({ withinMs: DRAIN_SECONDS * 1000 });
    expect(await Promise.all(gone)).toEqual(["io server disconnect", "io server disconnect", "io server disconnect"]);
    await service.drained;
    const tookMs = Date.now() - started;
    // Spread over the drain, not all at once, and not much longer.
    expect(tookMs).toBeGreaterThan(DRAIN_SECONDS * 1000 * 0.5);
    expect(tookMs).toBeLessThan(DRAIN_SECONDS * 1000 + 2000);

    // What close() stores is on disk for the next node: here, the same database after a restart.
    const mongo = running.mongo;
    await service.close();
    running = await startService({ JWT_SECRET: service.config.jwt.secret }, mongo);
    const stored = await fetchDocument(running.url, team.viewer.token, team.projectId);
    expect(stored.getText("body").toString()).toBe("typed just before the drain;");
    await mongo.stop();
    running = undefined;
  });

  it("answers the administrator who started it before disconnecting them, even as the node's only socket", async () => {
    running = await startService({ ADMIN_EMAILS: ADMIN_EMAIL, DRAIN_SECONDS: "0" });
    const admin = await connectAdmin(running.url, (await registerUser(running.url, "Root", ADMIN_EMAIL)).token);
    const gone = disconnected(admin);
    expect(await adminCall(admin, "node:drain", {})).toEqual({ ok: true, node: "node" });
    expect(await gone).toBe("io server disconnect");
    await running.service.drained;
  });

  it("starts on SIGTERM's path too: a drain with no sockets ends at once", async () => {
    running = await startService({ DRAIN_SECONDS: "30" });
    const started = Date.now();
    await running.service.drain();
    await running.service.drained;
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await request(running.url, "GET", "/readyz")).status).toBe(503);
  });

  it("sends the provider's next connection elsewhere: it keeps its edits and resumes on another node", async () => {
    running = await startService({ DRAIN_SECONDS: "0" });
    const team = await projectWithTeam(running.url);
    const { mongo } = running;
    const secret = running.service.config.jwt.secret;
    const writer = provider(running.url, team.editor.token, team.projectId);
    await writer.whenSynced();
    const drained = running.service.drain();
    // Typed while the node drains and after it went: unsaved until another node has it.
    writer.doc.getText("body").insert(0, "offline;");
    await drained;
    await running.service.close();
    expect(writer.unsyncedChanges).toBeGreaterThan(0);
    // The next node, same database, same address space: the provider is pointed at it as a load balancer would.
    running = await startService({ JWT_SECRET: secret }, mongo);
    const resumed = provider(running.url, team.editor.token, team.projectId, { doc: writer.doc });
    await resumed.whenSynced();
    await whenStored(resumed);
    const stored = await fetchDocument(running.url, team.viewer.token, team.projectId);
    expect(stored.getText("body").toString()).toBe("offline;");
  });
});
