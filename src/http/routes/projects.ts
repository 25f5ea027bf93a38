import { type RequestHandler, Router } from "express";
import { z } from "zod";
import type { ProjectService } from "../../projects/project-service.js";
import { ROLES } from "../../projects/roles.js";
import { parseInput } from "../validate.js";

const projectName = z.string().trim().min(1).max(200);
const role = z.enum(ROLES);
const nameBody = z.object({ name: projectName });
const addMemberBody = z.object({ email: z.string().trim().toLowerCase().max(254).pipe(z.email()), role });
const roleBody = z.object({ role });
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

/** Every route needs a user; ids in paths are checked by the access policy, which treats malformed ones as unknown. */
export function createProjectsRouter(deps: { projects: ProjectService; requireUser: RequestHandler }): Router {
  const { projects } = deps;
  const router = Router();
  const auth = deps.requireUser;
  const userId = (req: { user?: { id: string } }) => req.user?.id as string;
  const pathParam = (req: { params: Record<string, unknown> }, name: string) => String(req.params[name]);

  router.post("/api/projects", auth, async (req, res) => {
    const { name } = parseInput(nameBody, req.body);
    res.status(201).json({ project: await projects.create(userId(req), name) });
  });

  router.get("/api/projects", auth, async (req, res) => {
    res.json(await projects.list(userId(req), parseInput(listQuery, req.query)));
  });

  router.get("/api/projects/:id", auth, async (req, res) => {
    res.json({ project: await projects.get(userId(req), pathParam(req, "id")) });
  });

  router.patch("/api/projects/:id", auth, async (req, res) => {
    const { name } = parseInput(nameBody, req.body);
    res.json({ project: await projects.rename(userId(req), pathParam(req, "id"), name) });
  });

  router.delete("/api/projects/:id", auth, async (req, res) => {
    await projects.delete(userId(req), pathParam(req, "id"));
    res.status(204).end();
  });

  router.post("/api/projects/:id/members", auth, async (req, res) => {
    const { email, role: memberRole } = parseInput(addMemberBody, req.body);
    res.status(201).json({ member: await projects.addMember(userId(req), pathParam(req, "id"), email, memberRole) });
  });

  router.patch("/api/projects/:id/members/:userId", auth, async (req, res) => {
    const { role: memberRole } = parseInput(roleBody, req.body);
    res.json({
      member: await projects.changeRole(userId(req), pathParam(req, "id"), pathParam(req, "userId"), memberRole),
    });
  });

  router.delete("/api/projects/:id/members/:userId", auth, async (req, res) => {
    await projects.removeMember(userId(req), pathParam(req, "id"), pathParam(req, "userId"));
    res.status(204).end();
  });
  return router;
}
