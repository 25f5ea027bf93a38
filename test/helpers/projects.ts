import { registerUser, request } from "./http.js";

export type Account = Awaited<ReturnType<typeof registerUser>>;

/** An owner with a fresh project, plus an editor, a viewer and an outsider. */
export async function projectWithTeam(url: string) {
  const [owner, editor, viewer, outsider] = await Promise.all([
    registerUser(url, "Owner"),
    registerUser(url, "Editor"),
    registerUser(url, "Viewer"),
    registerUser(url, "Outsider"),
  ]);
  const projectId = await createProject(url, owner.token, "Team project");
  for (const [member, role] of [
    [editor, "editor"],
    [viewer, "viewer"],
  ] as const) {
    const added = await request(url, "POST", `/api/projects/${projectId}/members`, {
      token: owner.token,
      body: { email: member.email, role },
    });
    if (added.status !== 201) throw new Error(`add member failed: ${added.status}`);
  }
  return { projectId, owner, editor, viewer, outsider };
}

/** Creates a project as `token`'s user and returns its id. */
export async function createProject(url: string, token: string, name: string): Promise<string> {
  const created = await request(url, "POST", "/api/projects", { token, body: { name } });
  if (created.status !== 201) throw new Error(`create failed: ${created.status}`);
  return created.body.project.id as string;
}
