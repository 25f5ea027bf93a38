import { describe, expect, it } from "vitest";
import { registerUser, request } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const running = useService();

type Who = "owner" | "editor" | "viewer" | "outsider";

/** The expected status of each endpoint for each role: the role table, tried over HTTP. */
const TABLE: Array<{ endpoint: string; expected: Record<Who, number> }> = [
  { endpoint: "GET project", expected: { owner: 200, editor: 200, viewer: 200, outsider: 404 } },
  { endpoint: "PATCH project", expected: { owner: 200, editor: 200, viewer: 403, outsider: 404 } },
  { endpoint: "POST member", expected: { owner: 201, editor: 403, viewer: 403, outsider: 404 } },
  { endpoint: "PATCH member", expected: { owner: 200, editor: 403, viewer: 403, outsider: 404 } },
  { endpoint: "DELETE other member", expected: { owner: 204, editor: 403, viewer: 403, outsider: 404 } },
  { endpoint: "DELETE project", expected: { owner: 204, editor: 403, viewer: 403, outsider: 404 } },
];

describe("the role table, endpoint by endpoint", () => {
  for (const { endpoint, expected } of TABLE) {
    for (const who of Object.keys(expected) as Who[]) {
      it(`${endpoint} as ${who} → ${expected[who]}`, async () => {
        const team = await projectWithTeam(running.url);
        const extra = await registerUser(running.url, "Extra");
        const base = `/api/projects/${team.projectId}`;
        // A member nobody else depends on, for the member endpoints.
        await request(running.url, "POST", `${base}/members`, {
          token: team.owner.token,
          body: { email: extra.email, role: "viewer" },
        });
        const newcomer = await registerUser(running.url, "Newcomer");
        const token = team[who].token;
        const calls: Record<string, () => ReturnType<typeof request<{ error: { code: string } }>>> = {
          "GET project": () => request(running.url, "GET", base, { token }),
          "PATCH project": () => request(running.url, "PATCH", base, { token, body: { name: "Renamed" } }),
          "POST member": () =>
            request(running.url, "POST", `${base}/members`, { token, body: { email: newcomer.email, role: "editor" } }),
          "PATCH member": () =>
            request(running.url, "PATCH", `${base}/members/${extra.user.id}`, { token, body: { role: "editor" } }),
          "DELETE other member": () => request(running.url, "DELETE", `${base}/members/${extra.user.id}`, { token }),
          "DELETE project": () => request(running.url, "DELETE", base, { token }),
        };
        const response = await (calls[endpoint] as () => ReturnType<typeof request<{ error: { code: string } }>>)();
        expect(response.status).toBe(expected[who]);
        if (expected[who] >= 400) {
          const code = { 403: "FORBIDDEN", 404: "NOT_FOUND" }[expected[who] as 403 | 404];
          expect(response.body.error.code).toBe(code);
        }
      });
    }
  }
});
