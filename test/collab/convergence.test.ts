import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { ProjectProvider } from "../../src/client/provider.js";
import { canonicalState, destroyProviders, provider, until, whenStored } from "../helpers/collab.js";
import { registerUser, request } from "../helpers/http.js";
import { startTestMongo, type TestMongo } from "../helpers/mongo.js";
import { projectWithTeam } from "../helpers/projects.js";
import { startService, type TestService } from "../helpers/service.js";

/** mulberry32: a tiny seeded PRNG, so a failure replays exactly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261125;
const OPERATIONS = 400;
const environment = {
  JWT_SECRET: randomBytes(32).toString("hex"),
  DOC_COMPACT_AFTER_UPDATES: "50",
  DOC_UNLOAD_DELAY_MS: "0",
};

let mongo: TestMongo;
let running: TestService;
beforeAll(async () => {
  mongo = await startTestMongo();
  running = await startService(environment, mongo);
});
afterEach(() => destroyProviders());
afterAll(async () => {
  await running?.close();
  await mongo?.stop();
});

describe("randomized convergence (fixed seed)", () => {
  it("converges every client, the server and the stored document byte for byte, through disconnects and a restart", async () => {
    const next = random(SEED);
    const team = await projectWithTeam(running.url);
    const secondEditor = await registerUser(running.url, "Editor Two");
    await request(running.url, "POST", `/api/projects/${team.projectId}/members`, {
      token: team.owner.token,
      body: { email: secondEditor.email, role: "editor" },
    });
    const clients: ProjectProvider[] = [team.owner, team.editor, secondEditor, team.owner].map((member) =>
      provider(running.url, member.token, team.projectId),
    );
    await Promise.all(clients.map((client) => client.whenSynced()));
    const refusals: unknown[] = [];
    for (const client of clients) client.on("error", (error) => refusals.push(error));

    for (let operation = 0; operation < OPERATIONS; operation++) {
      const client = clients[Math.floor(next() * clients.length)] as ProjectProvider;
      const roll = next();
      if (roll < 0.04) {
        if (client.status === "disconnected") client.connect();
        else client.disconnect();
        continue;
      }
      const text = client.doc.getText("body");
      if (roll < 0.7 || text.length === 0) {
        const position = Math.floor(next() * (text.length + 1));
        text.insert(position, String.fromCharCode(97 + Math.floor(next() * 26)).repeat(1 + Math.floor(next() * 3)));
      } else {
        const position = Math.floor(next() * text.length);
        text.delete(position, Math.min(text.length - position, 1 + Math.floor(next() * 3)));
      }
      // Let the network breathe now and then, so edits interleave with deliveries.
      if (operation % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }

    for (const client of clients) if (client.status === "disconnected") client.connect();
    await Promise.all(clients.map((client) => client.whenSynced()));
    const reference = clients[0] as ProjectProvider;
    const expected = () => reference.doc.getText("body").toString();
    const docs = clients.map((client) => client.doc);
    await until(docs, () => docs.every((doc) => doc.getText("body").toString() === expected()), 10_000);
    await Promise.all(clients.map((client) => whenStored(client)));
    const converged = canonicalState(reference.doc);
    for (const client of clients) expect(canonicalState(client.doc)).toEqual(converged);
    expect(expected().length).toBeGreaterThan(0);
    expect(refusals).toEqual([]);

    // Restart the service against the same database: what it stored is the same document, to the byte.
    destroyProviders();
    await running.close();
    running = await startService(environment, mongo);
    const stored = await fetch(`${running.url}/api/projects/${team.projectId}/document`, {
      headers: { authorization: `Bearer ${team.owner.token}` },
    });
    const restored = new Y.Doc();
    Y.applyUpdate(restored, new Uint8Array(await stored.arrayBuffer()));
    expect(restored.getText("body").toString()).toBe(expected());
    expect(canonicalState(restored)).toEqual(converged);
  }, 60_000);
});
