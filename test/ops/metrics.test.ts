import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { destroyProviders, provider, whenStored } from "../helpers/collab.js";
import { registerUser, request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { insertion, rawClient, updateMessage } from "../helpers/raw-yjs.js";
import { startService, type TestService } from "../helpers/service.js";
import { connectNotifications, connectProjects, openProject } from "../helpers/sockets.js";

const METRICS_TOKEN = "metrics-token-0123456789";

/** The value of one sample in Prometheus text, 0 when absent (a counter never incremented is not listed with labels). */
function sample(text: string, name: string, labels = ""): number {
  const line = text.split("\n").find((each) => each.startsWith(`${name}${labels ? `{${labels}}` : ""} `));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return response.text();
}

describe("GET /metrics on the main port", () => {
  const running = useService({ METRICS_TOKEN });

  it("answers only with the token: a missing or wrong one is a bare 401", async () => {
    const missing = await fetch(`${running.url}/metrics`);
    expect(missing.status).toBe(401);
    const body = await missing.text();
    expect(body).not.toContain("collab_");
    expect(JSON.parse(body)).toEqual({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
    const wrong = await fetch(`${running.url}/metrics`, {
      headers: { authorization: "Bearer metrics-token-0123456788" },
    });
    expect(wrong.status).toBe(401);
    const text = await scrape(running.url);
    expect(text).toContain("nodejs_eventloop_lag_seconds");
    expect(text).toContain("process_resident_memory_bytes");
  });

  it("counts what clients did: updates, relays, acks, sockets, rooms, documents, auth and HTTP by route", async () => {
    const before = await scrape(running.url);
    const team = await projectWithTeam(running.url);
    const writer = provider(running.url, team.editor.token, team.projectId);
    const reader = provider(running.url, team.viewer.token, team.projectId);
    await Promise.all([writer.whenSynced(), reader.whenSynced()]);
    const notifications = await connectNotifications(running.url, team.owner.token);
    const updates = 12;
    for (let i = 0; i < updates; i++) {
      writer.doc.getText("body").insert(0, `u${i};`);
      await whenStored(writer);
    }
    // A viewer's change is refused, and counted by its code.
    const viewerSocket = await connectProjects(running.url, team.viewer.token);
    await openProject(viewerSocket, team.projectId);
    await request(running.url, "POST", "/api/auth/login", {
      body: { email: team.owner.email, password: "nope-nope-nope" },
    });

    const after = await scrape(running.url);
    const delta = (name: string, labels = "") => sample(after, name, labels) - sample(before, name, labels);
    // Each awaited edit is one update message; the handshakes' steps are counted apart.
    expect(delta("collab_yjs_messages_received_total", 'type="update"')).toBe(updates);
    expect(delta("collab_yjs_durable_ack_seconds_count")).toBeGreaterThanOrEqual(updates);
    expect(delta("collab_update_log_insert_batch_size_sum")).toBeGreaterThanOrEqual(updates);
    // Each update went to the one other socket in the room (the reader), never back to its sender.
    expect(delta("collab_yjs_relays_total")).toBeGreaterThanOrEqual(1);
    expect(delta("collab_yjs_relay_messages_sent_total")).toBeGreaterThanOrEqual(delta("collab_yjs_relays_total"));
    expect(sample(after, "collab_sockets", 'namespace="/projects"')).toBe(3);
    expect(sample(after, "collab_sockets", 'namespace="/notifications"')).toBe(1);
    expect(sample(after, "collab_project_rooms")).toBe(1);
    expect(sample(after, "collab_documents_loaded")).toBe(1);
    expect(sample(after, "collab_documents_loaded_bytes")).toBeGreaterThan(updates * 3);
    expect(delta("collab_auth_total", 'edge="socket",result="success",reason="ok"')).toBe(4);
    expect(delta("collab_auth_total", 'edge="http",result="failure",reason="invalid_credentials"')).toBe(1);
    expect(
      delta(
        "collab_http_request_duration_seconds_count",
        'method="POST",route="/api/projects/:id/members",status="201"',
      ),
    ).toBe(2);
    // Label values come from fixed lists: no project, user or socket id ever appears.
    for (const id of [team.projectId, team.owner.user.id, team.editor.user.id, viewerSocket.id ?? "?"]) {
      expect(after).not.toContain(id);
    }
    notifications.close();
  });

  it("counts refused changes by code", async () => {
    const team = await projectWithTeam(running.url);
    const before = await scrape(running.url);
    const viewer = await rawClient(running.url, team.viewer.token, team.projectId);
    const refused = await viewer.sync(team.projectId, updateMessage(insertion("not allowed")));
    expect(refused).toMatchObject({ ok: false, error: { code: "READ_ONLY" } });
    const after = await scrape(running.url);
    const label = 'code="READ_ONLY"';
    expect(sample(after, "collab_yjs_messages_refused_total", label)).toBe(
      sample(before, "collab_yjs_messages_refused_total", label) + 1,
    );
  });
});

describe("METRICS_PORT", () => {
  let running: TestService;
  beforeAll(async () => {
    running = await startService({ METRICS_PORT: "0" });
  });
  afterAll(async () => {
    destroyProviders();
    await running.close();
  });

  it("serves /metrics on a port of its own without a token, and nothing on the main port", async () => {
    const address = running.service.metricsServer?.address();
    if (!address || typeof address === "string") throw new Error("the metrics server is not listening");
    expect(address.address).toBe("127.0.0.1");
    const own = await fetch(`http://127.0.0.1:${address.port}/metrics`);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain("collab_sockets");
    expect((await fetch(`http://127.0.0.1:${address.port}/other`)).status).toBe(404);
    expect((await fetch(`${running.url}/metrics`)).status).toBe(404);
    // The account exists only to show the main port serves its API as usual.
    expect((await registerUser(running.url)).token).toEqual(expect.any(String));
  });
});

describe("without METRICS_TOKEN or METRICS_PORT", () => {
  const running = useService();

  it("serves no /metrics at all", async () => {
    expect((await fetch(`${running.url}/metrics`)).status).toBe(404);
    expect(running.service.metricsServer).toBeUndefined();
  });
});
