import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { destroyProviders, fetchDocument, provider, untilUnloaded, whenStored } from "../helpers/collab.js";
import { registerUser } from "../helpers/http.js";
import { createProject } from "../helpers/projects.js";
import { startService, type TestService } from "../helpers/service.js";
import { closeAllSockets, connectProjects, openProject } from "../helpers/sockets.js";

const MB = 1024 * 1024;

/** Text that Yjs stores as it is: about `bytes` long, different each time. */
const filler = (bytes: number) => randomBytes(bytes / 2).toString("hex");

/** Waits until no unload is under way: the loaded bytes stop changing. */
async function settled(read: () => number): Promise<number> {
  for (let last = -1; ; ) {
    const now = read();
    if (now === last) return now;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("the memory budget for documents", () => {
  let running: TestService | undefined;
  afterEach(async () => {
    destroyProviders();
    closeAllSockets();
    await running?.close();
    running = undefined;
  });

  it("keeps a node with 100 idle 1 MB documents under a 50 MB budget, least recently used out first", async () => {
    running = await startService({
      DOC_MEMORY_BUDGET_MB: "50",
      // Only the budget unloads anything here; the byte budget is not what is tested.
      DOC_UNLOAD_DELAY_MS: "3600000",
      DOC_BYTES_PER_SECOND: String(1024 * MB),
    });
    const { url, service } = running;
    const owner = await registerUser(url, "Owner");
    const written = new Map<string, string>();
    let peak = 0;
    for (let i = 0; i < 100; i++) {
      const projectId = await createProject(url, owner.token, `Document ${i}`);
      const editor = provider(url, owner.token, projectId);
      await editor.whenSynced();
      const text = filler(MB);
      editor.doc.getText("body").insert(0, text);
      await whenStored(editor);
      written.set(projectId, text);
      editor.destroy();
      await untilIdle(service.documents, projectId);
      peak = Math.max(peak, service.documents.loadedBytes());
    }
    const loaded = await settled(() => service.documents.loadedBytes());
    expect(loaded).toBeLessThanOrEqual(50 * MB);
    // What is still unloading when the next document opens counts for a moment: at most a document or two.
    expect(peak).toBeLessThanOrEqual(52 * MB);
    expect(service.documents.evictions).toBeGreaterThanOrEqual(50);
    const ids = [...written.keys()];
    // Least recently used out first: the oldest are gone, the newest still here.
    expect(service.documents.isLoaded(ids[0] as string)).toBe(false);
    expect(service.documents.isLoaded(ids[99] as string)).toBe(true);
    // Nothing was lost on the way out.
    const first = await fetchDocument(url, owner.token, ids[0] as string);
    expect(first.getText("body").toString()).toBe(written.get(ids[0] as string));
  }, 120_000);

  it("refuses to open a document larger than the whole budget with TOO_LARGE, and the node keeps serving", async () => {
    running = await startService({
      DOC_MEMORY_BUDGET_MB: "2",
      DOC_UNLOAD_DELAY_MS: "3600000",
      DOC_BYTES_PER_SECOND: String(1024 * MB),
    });
    const { url, service } = running;
    const owner = await registerUser(url, "Owner");
    const projectId = await createProject(url, owner.token, "Big");
    const editor = provider(url, owner.token, projectId);
    await editor.whenSynced();
    // Open, it may grow past the budget (MAX_DOCUMENT_BYTES governs that); closed, it is the first to go.
    for (let i = 0; i < 3; i++) {
      editor.doc.getText("body").insert(0, filler(MB));
      await whenStored(editor);
    }
    editor.destroy();
    await untilUnloaded(service.documents, projectId, 10_000);

    const socket = await connectProjects(url, owner.token);
    expect(await openProject(socket, projectId)).toMatchObject({ ok: false, error: { code: "TOO_LARGE" } });
    expect(service.documents.isLoaded(projectId)).toBe(false);
    const small = await createProject(url, owner.token, "Small");
    expect(await openProject(socket, small)).toMatchObject({ ok: true });
  }, 30_000);
});

/** Resolves once the document has no connection left on the server (the provider's leave has arrived). */
async function untilIdle(documents: { connectionCount(id: string): number }, projectId: string): Promise<void> {
  while (documents.connectionCount(projectId) > 0) await new Promise((resolve) => setTimeout(resolve, 2));
}
