import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { registerUser, request } from "../helpers/http.js";
import { usingRealMongo } from "../helpers/mongo.js";
import { killAll, startProcess, startServiceProcess } from "../helpers/processes.js";
import { rawClient, updateMessage } from "../helpers/raw-yjs.js";
import { closeAllSockets } from "../helpers/sockets.js";

afterEach(() => {
  closeAllSockets();
  killAll();
});

/** The database outlives the service: `npm run db`'s entry point, or the real MongoDB when MONGODB_URI is set. */
async function startDatabase(): Promise<string> {
  const name = `crash_${randomBytes(4).toString("hex")}`;
  if (usingRealMongo) {
    const url = new URL(process.env.MONGODB_URI as string);
    url.pathname = `/${name}`;
    return url.toString();
  }
  const { address } = await startProcess("src/db/embedded/main.ts", ["--port", "0"], {}, /^(mongodb:\/\/\S+)$/);
  return `${address}${name}`;
}

describe("kill -9 in the middle of editing", () => {
  it("keeps every update whose ack reached its sender", async () => {
    const environment = { MONGODB_URI: await startDatabase(), JWT_SECRET: randomBytes(32).toString("hex") };
    const first = await startServiceProcess(environment);
    const owner = await registerUser(first.address, "Crash");
    const created = await request(first.address, "POST", "/api/projects", {
      token: owner.token,
      body: { name: "Crash test" },
    });
    const projectId = created.body.project.id as string;

    const client = await rawClient(first.address, owner.token, projectId);
    const local = new Y.Doc();
    const acknowledged: string[] = [];
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) {
      const word = `w${i};`;
      const before = Y.encodeStateVector(local);
      local.getText("body").insert(local.getText("body").length, word);
      const sent = client.sync(projectId, updateMessage(Y.encodeStateAsUpdate(local, before))).then((response) => {
        if (response.ok) acknowledged.push(word);
      });
      // Half are awaited one by one, the rest fly together until the kill.
      if (i < 30) await sent;
      else inFlight.push(sent.catch(() => undefined));
    }
    first.child.kill("SIGKILL");
    await once(first.child, "exit");
    await Promise.all(inFlight);
    expect(acknowledged.length).toBeGreaterThanOrEqual(30);

    const second = await startServiceProcess(environment);
    const stored = await fetch(`${second.address}/api/projects/${projectId}/document`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(stored.status).toBe(200);
    const recovered = new Y.Doc();
    Y.applyUpdate(recovered, new Uint8Array(await stored.arrayBuffer()));
    const text = recovered.getText("body").toString();
    for (const word of acknowledged) expect(text).toContain(word);
  }, 60_000);
});
