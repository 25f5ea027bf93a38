import jwt from "jsonwebtoken";
import { describe, expect, it } from "vitest";
import { provider, whenStored } from "../helpers/collab.js";
import { request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const SECRET = "r".repeat(48);
const running = useService({ JWT_EXPIRES_IN: "3s", JWT_SECRET: SECRET });
const password = "correct horse battery";

const login = async (email: string) =>
  (await request(running.url, "POST", "/api/auth/login", { body: { email, password } })).body.token as string;

/** Resolves once the clock is past the token's expiry (seconds resolution), plus a margin. */
function pastExpiry(token: string): Promise<void> {
  const { exp } = jwt.decode(token) as { exp: number };
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now() + 1000)));
}

describe("tokens renewed on an open connection", () => {
  it("asks a token function for a fresh token before expiry: the connection never drops", async () => {
    const team = await projectWithTeam(running.url);
    const issued: string[] = [];
    const editor = provider(
      running.url,
      async () => {
        issued.push(await login(team.editor.email));
        return issued.at(-1) as string;
      },
      team.projectId,
    );
    await editor.whenSynced();
    let dropped = 0;
    editor.on("status", (status) => status === "disconnected" && dropped++);
    await pastExpiry(issued[0] as string);
    expect(issued.length).toBeGreaterThanOrEqual(2);
    expect(dropped).toBe(0);
    editor.doc.getText("body").insert(0, "still here");
    await whenStored(editor);
  }, 20_000);

  it("takes a replacement string token with setToken", async () => {
    const team = await projectWithTeam(running.url);
    const first = team.editor.token;
    const editor = provider(running.url, first, team.projectId);
    await editor.whenSynced();
    let dropped = 0;
    editor.on("status", (status) => status === "disconnected" && dropped++);
    const { exp } = jwt.decode(first) as { exp: number };
    const later = jwt.sign({ exp: exp + 60 }, SECRET, { algorithm: "HS256", subject: team.editor.user.id });
    expect(await editor.setToken(later)).toBe(true);
    expect(await editor.setToken(team.owner.token)).toBe(false); // another user's token changes nothing
    await pastExpiry(first);
    expect(dropped).toBe(0);
    editor.doc.getText("body").insert(0, "renewed");
    await whenStored(editor);
  }, 20_000);
});
