import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { WireError } from "../../src/protocol/events.js";
import { destroyProviders, fetchDocument, provider, until, whenStored } from "../helpers/collab.js";
import { request } from "../helpers/http.js";
import { killAll, type Started, startProcess } from "../helpers/processes.js";
import { projectWithTeam } from "../helpers/projects.js";
import { rawClient, updateMessage } from "../helpers/raw-yjs.js";
import { startService, type TestService } from "../helpers/service.js";
import { closeAllSockets, refusal } from "../helpers/sockets.js";

/**
 * The database is `npm run db`'s process, whatever MONGODB_URI says: these
 * tests stop it (SIGSTOP: a database that stops answering) and kill it.
 */
function startDatabase(port = 0): Promise<Started> {
  return startProcess("src/db/embedded/main.ts", ["--port", String(port)], {}, /^(mongodb:\/\/\S+)$/);
}

let service: TestService | undefined;
afterEach(async () => {
  destroyProviders();
  closeAllSockets();
  await service?.close();
  service = undefined;
  killAll();
});

async function startAgainst(database: Started): Promise<TestService> {
  const uri = new URL(database.address);
  uri.pathname = `/outage_${randomBytes(4).toString("hex")}`;
  // A short database timeout, so the test sees the outage quickly.
  service = await startService(
    { MONGODB_URI: uri.toString(), DB_TIMEOUT_MS: "1000" },
    {
      uri: database.address,
      databaseName: uri.pathname.slice(1),
      databaseUri: uri.toString(),
      stop: async () => {},
    },
  );
  return service;
}

function nextError(target: ReturnType<typeof provider>, code: string): Promise<WireError> {
  return new Promise((resolve) => {
    const listener = (error: WireError) => {
      if (error.code !== code) return;
      target.off("error", listener);
      resolve(error);
    };
    target.on("error", listener);
  });
}

describe("a database outage", () => {
  it("answers UNAVAILABLE everywhere, keeps changes unsynced, and heals without a reload", async () => {
    const database = await startDatabase();
    const running = await startAgainst(database);
    const team = await projectWithTeam(running.url);
    const editor = provider(running.url, team.editor.token, team.projectId);
    await editor.whenSynced();
    editor.doc.getText("body").insert(0, "before ");
    await whenStored(editor);

    const resender = await rawClient(running.url, team.owner.token, team.projectId);
    let viewer: ReturnType<typeof provider> | undefined;
    database.child.kill("SIGSTOP");
    try {
      const refusedAck = nextError(editor, "UNAVAILABLE");
      editor.doc.getText("body").insert(7, "during");
      await refusedAck;
      expect(editor.unsyncedChanges).toBeGreaterThan(0);
      // The same change again (what a client does after UNAVAILABLE) is no more stored than the first time.
      const again = await resender.sync(team.projectId, updateMessage(Y.encodeStateAsUpdate(editor.doc)));
      expect(again).toMatchObject({ ok: false, error: { code: "UNAVAILABLE" } });

      const started = Date.now();
      const read = await request(running.url, "GET", `/api/projects/${team.projectId}`, { token: team.owner.token });
      expect(read.status).toBe(503);
      expect(read.body.error.code).toBe("UNAVAILABLE");
      expect(read.headers.get("retry-after")).toBe("5");
      expect(Date.now() - started).toBeLessThan(8000);
      expect((await request(running.url, "GET", "/readyz")).status).toBe(503);

      const handshake = await refusal(running.url, "/projects", { token: team.viewer.token });
      expect(handshake.data).toEqual({ code: "UNAVAILABLE" });
      // A newcomer keeps trying on its own with the same token.
      viewer = provider(running.url, team.viewer.token, team.projectId);
      await nextError(viewer, "UNAVAILABLE");
    } finally {
      database.child.kill("SIGCONT");
    }

    await whenStored(editor, 20_000);
    const newcomer = viewer as ReturnType<typeof provider>;
    await newcomer.whenSynced();
    await until(newcomer.doc, () => newcomer.doc.getText("body").toString() === "before during", 10_000);
    const stored = await fetchDocument(running.url, team.owner.token, team.projectId);
    expect(stored.getText("body").toString()).toBe("before during");
    expect((await request(running.url, "GET", "/readyz")).status).toBe(200);
  }, 60_000);

  it("evicts the rooms of projects a database that came back empty no longer has", async () => {
    const database = await startDatabase();
    const port = new URL(database.address).port;
    const running = await startAgainst(database);
    const team = await projectWithTeam(running.url);
    const editor = provider(running.url, team.editor.token, team.projectId);
    await editor.whenSynced();
    const revoked = new Promise<void>((resolve) => editor.on("access-revoked", () => resolve()));

    database.child.kill("SIGKILL");
    await once(database.child, "exit");
    await startDatabase(Number(port));
    await revoked;
    expect(running.service.documents.isLoaded(team.projectId)).toBe(false);
  }, 60_000);
});
