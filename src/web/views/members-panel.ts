import type { MemberView, ProjectDetails, Role } from "collab-backend/client";
import { type AppContext, describeError } from "../context.js";
import { el, onSubmit } from "../dom.js";

const ROLES: Role[] = ["owner", "editor", "viewer"];

function roleSelect(name: string, selected: Role, label: string): HTMLSelectElement {
  const select = el("select", { name, "aria-label": label });
  for (const role of ROLES) select.append(el("option", { value: role, selected: role === selected }, role));
  return select;
}

/** Who is in the project; owners invite by email, change roles and remove people. */
export function membersPanel(context: AppContext, projectId: string): { element: HTMLElement; refresh(): void } {
  const { api } = context.session;
  const list = el("ul", { class: "members", "aria-label": "Members" });
  const error = el("p", { class: "error", role: "alert" });
  const invite = el("div");
  const element = el(
    "section",
    { class: "panel", "aria-labelledby": "members-title" },
    el("h2", { id: "members-title" }, "Members"),
    list,
    error,
    invite,
  );

  const act = async (action: () => Promise<unknown>) => {
    error.textContent = "";
    try {
      await action();
    } catch (failure) {
      error.textContent = describeError(failure);
    }
    await refresh();
  };

  const memberItem = (member: MemberView, manage: boolean): HTMLElement => {
    const me = member.userId === api.user?.id;
    const item = el(
      "li",
      { "data-user-id": member.userId },
      el("span", { class: "member-name" }, member.name + (me ? " (you)" : "")),
    );
    if (!manage) {
      item.append(el("span", { class: `badge role-${member.role}` }, member.role));
      return item;
    }
    const select = roleSelect("role", member.role, `Role of ${member.name}`);
    select.addEventListener("change", () => act(() => api.changeRole(projectId, member.userId, select.value as Role)));
    const remove = el("button", { type: "button", class: "danger", "aria-label": `Remove ${member.name}` }, "Remove");
    remove.addEventListener("click", () => act(() => api.removeMember(projectId, member.userId)));
    item.append(select, remove);
    return item;
  };

  const inviteForm = (): HTMLElement => {
    const inviteError = el("p", { class: "error", role: "alert" });
    const form = el(
      "form",
      { class: "inline", "aria-label": "Invite a member" },
      el("input", { name: "email", type: "email", required: true, placeholder: "Email", "aria-label": "Email" }),
      roleSelect("role", "editor", "Role"),
      el("button", { type: "submit" }, "Invite"),
    );
    onSubmit(
      form,
      inviteError,
      async ({ email, role }) => {
        await api.addMember(projectId, email ?? "", role as Role);
        form.reset();
        await refresh();
      },
      describeError,
    );
    return el("div", {}, form, inviteError);
  };

  const render = (project: ProjectDetails) => {
    const manage = project.role === "owner";
    list.replaceChildren(...project.members.map((member) => memberItem(member, manage)));
    invite.replaceChildren(manage ? inviteForm() : "");
  };

  const refresh = async () => {
    try {
      render(await api.getProject(projectId));
    } catch (failure) {
      error.textContent = describeError(failure);
    }
  };
  void refresh();
  return { element, refresh: () => void refresh() };
}
