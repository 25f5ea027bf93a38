import jwt from "jsonwebtoken";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { ApiClient, ApiError } from "../../src/client/index.js";
import { provider, whenStored } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";

const SECRET = "a".repeat(48);
const running = useService({ JWT_SECRET: SECRET });
let counter = 0;
const newAccount = (name: string) => ({
  email: `${name.toLowerCase()}-${process.pid}-${++counter}@example.test`,
  password: "correct horse battery",
  name,
});

/** The ApiError a call fails with. */
async function failure(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("the call succeeded");
}

describe("ApiClient", () => {
  it("covers accounts, projects and members, with the service's codes on failures", async () => {
    const ada = new ApiClient({ url: running.url });
    const bob = new ApiClient({ url: running.url });
    const adaAccount = newAccount("Ada");
    const bobAccount = newAccount("Bob");
    expect((await ada.register(adaAccount)).user.name).toBe("Ada");
    await bob.register(bobAccount);
    await bob.login({ email: bobAccount.email, password: bobAccount.password });
    expect((await bob.me()).email).toBe(bobAccount.email);
    expect((await failure(bob.login({ email: bobAccount.email, password: "wrong password" }))).code).toBe(
      "UNAUTHORIZED",
    );

    const first = await ada.createProject("First");
    const second = await ada.createProject("Second");
    expect(first.role).toBe("owner");
    const page = await ada.listProjects({ limit: 1 });
    expect(page.projects.map((project) => project.name)).toEqual(["Second"]);
    expect((await ada.listProjects({ cursor: page.nextCursor as string })).projects.map((p) => p.name)).toEqual([
      "First",
    ]);
    expect((await ada.renameProject(first.id, "Renamed")).name).toBe("Renamed");

    expect(await failure(ada.addMember(first.id, "nobody@example.test", "editor"))).toMatchObject({
      code: "NOT_FOUND",
      status: 404,
    });
    expect((await ada.addMember(first.id, bobAccount.email, "editor")).role).toBe("editor");
    expect((await failure(ada.addMember(first.id, bobAccount.email, "viewer"))).code).toBe("CONFLICT");
    expect((await ada.changeRole(first.id, (bob.user as { id: string }).id, "viewer")).role).toBe("viewer");
    expect((await ada.getProject(first.id)).members.map((member) => member.name).sort()).toEqual(["Ada", "Bob"]);
    expect((await failure(ada.leaveProject(first.id))).code).toBe("CONFLICT"); // the last owner stays
    expect((await failure(bob.renameProject(first.id, "Mine"))).code).toBe("FORBIDDEN");

    // Bob sees the project, its document and who is online; then leaves, and it is gone for him like any other.
    const editor = provider(running.url, ada.token as string, first.id);
    await editor.whenSynced();
    editor.doc.getText("body").insert(0, "hello");
    await whenStored(editor);
    expect(await bob.presence(first.id)).toEqual({ online: [{ userId: ada.user?.id, name: "Ada" }], sockets: 1 });
    expect(await ada.presence(first.id)).toEqual({
      online: [{ userId: ada.user?.id, name: "Ada", tabs: 1 }],
      sockets: 1,
    });
    const doc = new Y.Doc();
    Y.applyUpdate(doc, await bob.document(first.id));
    expect(doc.getText("body").toString()).toBe("hello");
    await bob.leaveProject(first.id);
    expect(await failure(bob.getProject(first.id))).toMatchObject({ code: "NOT_FOUND", status: 404 });

    await ada.deleteProject(second.id);
    expect((await failure(ada.getProject(second.id))).code).toBe("NOT_FOUND");
    const blocked = await failure(ada.deleteAccount(adaAccount.password));
    expect(blocked.code).toBe("CONFLICT");
    expect(blocked.details.projects).toEqual([{ id: first.id, name: "Renamed" }]);
    await bob.deleteAccount(bobAccount.password);
    expect(bob.token).toBeUndefined();
    expect((await failure(bob.me())).code).toBe("UNAUTHORIZED");
  });

  it("renews a token near its expiry once, however many ask at once", async () => {
    const api = new ApiClient({ url: running.url });
    const { user, token } = await api.register(newAccount("Cy"));
    expect(await api.freshToken()).toBe(token); // plenty of life left
    const now = Math.floor(Date.now() / 1000);
    const ending = jwt.sign({ iat: now - 3500, exp: now + 30 }, SECRET, { algorithm: "HS256", subject: user.id });
    api.token = ending;
    const [a, b] = await Promise.all([api.freshToken(), api.freshToken()]);
    expect(a).toBe(b);
    expect(a).not.toBe(ending);
    expect(api.token).toBe(a);
    expect((jwt.decode(a) as { exp: number }).exp).toBeGreaterThan(now + 3000);
    expect((await api.me()).id).toBe(user.id);
  });

  it("reports a service it cannot reach as UNREACHABLE and a missing session as UNAUTHORIZED", async () => {
    expect((await failure(new ApiClient({ url: "http://127.0.0.1:1" }).listProjects())).code).toBe("UNREACHABLE");
    expect(await failure(new ApiClient({ url: running.url }).listProjects())).toMatchObject({
      code: "UNAUTHORIZED",
      status: 401,
    });
    expect((await failure(new ApiClient({ url: running.url }).freshToken())).code).toBe("UNAUTHORIZED");
  });
});
