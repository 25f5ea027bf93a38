import type { Notification, ProjectSummary } from "collab-backend/client";
import { type AppContext, describeError, type View } from "../context.js";
import { el, onSubmit } from "../dom.js";

const PAGE_SIZE = 20;

/** The user's projects, newest first, a page at a time; create, rename, delete (owners), leave. */
export function projectsView(context: AppContext): View {
  const { api } = context.session;
  const list = el("ul", { class: "projects", "aria-label": "Your projects" });
  const more = el("button", { type: "button", hidden: true }, "Show more");
  const listError = el("p", { class: "error", role: "alert" });
  let nextCursor: string | null = null;

  const load = async (reset: boolean) => {
    try {
      const page = await api.listProjects({ limit: PAGE_SIZE, cursor: reset ? undefined : (nextCursor ?? undefined) });
      if (reset) list.replaceChildren();
      for (const project of page.projects) list.append(projectItem(project));
      nextCursor = page.nextCursor;
      more.hidden = nextCursor === null;
      if (list.childElementCount === 0) list.append(el("li", { class: "empty" }, "No projects yet: create one above."));
      listError.textContent = "";
    } catch (error) {
      listError.textContent = describeError(error);
    }
  };
  more.addEventListener("click", () => load(false));

  const projectItem = (project: ProjectSummary): HTMLElement => {
    const error = el("p", { class: "error", role: "alert" });
    const actions = el("div", { class: "actions" });
    const item = el(
      "li",
      { "data-project-id": project.id },
      el(
        "div",
        { class: "project-title" },
        el("a", { href: `#/projects/${project.id}` }, project.name),
        el("span", { class: `badge role-${project.role}` }, project.role),
      ),
      actions,
      error,
    );
    const run = (action: () => Promise<void>) => async () => {
      error.textContent = "";
      try {
        await action();
      } catch (failure) {
        error.textContent = describeError(failure);
      }
    };
    if (project.role !== "viewer") {
      const rename = el("button", { type: "button" }, "Rename");
      rename.addEventListener("click", () => {
        const input = el("input", { name: "name", value: project.name, required: true, "aria-label": "New name" });
        const form = el("form", { class: "inline" }, input, el("button", { type: "submit" }, "Save"));
        onSubmit(
          form,
          error,
          async ({ name }) => {
            await api.renameProject(project.id, name ?? "");
            await load(true);
          },
          describeError,
        );
        actions.replaceChildren(form);
        input.focus();
      });
      actions.append(rename);
    }
    if (project.role === "owner") {
      const remove = el("button", { type: "button", class: "danger" }, "Delete");
      let armed = false;
      remove.addEventListener(
        "click",
        run(async () => {
          if (!armed) {
            armed = true;
            remove.textContent = "Really delete?";
            return;
          }
          await api.deleteProject(project.id);
          await load(true);
        }),
      );
      actions.append(remove);
    }
    const leave = el("button", { type: "button" }, "Leave");
    leave.addEventListener(
      "click",
      run(async () => {
        await api.leaveProject(project.id);
        await load(true);
      }),
    );
    actions.append(leave);
    return item;
  };

  const createError = el("p", { class: "error", role: "alert" });
  const create = el(
    "form",
    { class: "inline create" },
    el("input", { name: "name", required: true, maxlength: "200", placeholder: "New project", "aria-label": "Name" }),
    el("button", { type: "submit", class: "primary" }, "Create project"),
  );
  onSubmit(
    create,
    createError,
    async ({ name }) => {
      const project = await api.createProject(name ?? "");
      create.reset();
      context.navigate(`#/projects/${project.id}`);
    },
    describeError,
  );

  // Someone else changed this list: added us, changed our role, removed us, deleted a project.
  const onNotification = (_notification: Notification) => void load(true);
  context.notifications.on("notification", onNotification);
  void load(true);

  return {
    element: el(
      "main",
      { class: "projects-view" },
      el("h1", {}, "Projects"),
      create,
      createError,
      listError,
      list,
      more,
    ),
    destroy: () => context.notifications.off("notification", onNotification),
  };
}
