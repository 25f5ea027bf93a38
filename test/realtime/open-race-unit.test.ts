import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { AccessPolicy, ProjectAccess } from "../../src/projects/access.js";
import { AccessChanges } from "../../src/realtime/access-changes.js";
import type { Presence } from "../../src/realtime/presence.js";
import { ProjectRooms } from "../../src/realtime/project-rooms.js";
import type { ProjectsSocket } from "../../src/realtime/types.js";

const PROJECT = "0123456789abcdef01234567";
const editor: ProjectAccess = { projectId: PROJECT, projectName: "Plans", role: "editor" };

/** A policy whose answers the test hands out one by one, and which counts the questions. */
function scriptedPolicy() {
  const waiting: Array<(access: ProjectAccess | undefined) => void> = [];
  let asked = 0;
  const policy = {
    checkProjectAccess: () => {
      asked += 1;
      return new Promise<ProjectAccess | undefined>((resolve) => waiting.push(resolve));
    },
  } as unknown as AccessPolicy;
  return {
    policy,
    asked: () => asked,
    /** Resolves once a question waits for its answer. */
    async asking() {
      while (waiting.length === 0) await new Promise((resolve) => setImmediate(resolve));
    },
    /** Answers the oldest question, once it has been asked. */
    async answer(access: ProjectAccess | undefined) {
      await this.asking();
      waiting.shift()?.(access);
    },
  };
}

/** The parts of a Socket.IO socket ProjectRooms uses: its events, its rooms, its data. */
function fakeSocket() {
  const handlers = new Map<string, (...args: unknown[]) => void>();
  const socket = {
    id: "socket-1",
    data: { userId: "fedcba9876543210fedcba98", name: "Ada" },
    rooms: new Set<string>(["socket-1"]),
    disconnected: false,
    on: (event: string, handler: (...args: unknown[]) => void) => handlers.set(event, handler),
    join: (room: string) => socket.rooms.add(room),
    leave: (room: string) => socket.rooms.delete(room),
    emit: () => true,
    disconnect: () => undefined,
  };
  const open = () =>
    new Promise<{ ok: boolean; error?: { code: string } }>((resolve) =>
      handlers.get("project:open")?.call(socket, PROJECT, resolve),
    );
  return { socket, open };
}

const presence = { socketCount: () => 1, online: () => [] } as unknown as Presence;

function rooms(policy: AccessPolicy, changes: AccessChanges) {
  return new ProjectRooms(
    policy,
    changes,
    presence,
    pino({ level: "silent" }),
    async () => true,
    200,
    () => false,
  );
}

describe("ProjectRooms: an access change while an open's check is in flight", () => {
  it("checks once when nothing changed access meanwhile", async () => {
    const script = scriptedPolicy();
    const { socket, open } = fakeSocket();
    rooms(script.policy, new AccessChanges()).attach(socket as unknown as ProjectsSocket);
    const answered = open();
    await script.answer(editor);
    expect(await answered).toMatchObject({ ok: true });
    expect(script.asked()).toBe(1);
    expect(socket.rooms.has(`project:${PROJECT}`)).toBe(true);
  });

  /**
   * An open whose first check answers `editor` while an access change is applied (the change is stored and applied to
   * this node's sockets, none in the room yet, before that answer), and whose second check answers `second`.
   */
  async function openDuringChange(second: ProjectAccess | undefined) {
    const script = scriptedPolicy();
    const changes = new AccessChanges();
    const { socket, open } = fakeSocket();
    rooms(script.policy, changes).attach(socket as unknown as ProjectsSocket);
    const answered = open();
    await script.asking();
    changes.changed();
    await script.answer(editor);
    await script.answer(second);
    return { answer: await answered, asked: script.asked(), socket };
  }

  it("checks again after a removal applied during the check, and stays out", async () => {
    const { answer, asked, socket } = await openDuringChange(undefined);
    expect(answer).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(asked).toBe(2);
    expect([...socket.rooms]).toEqual(["socket-1"]);
  });

  it("takes the role of the second check after a demotion applied during the first", async () => {
    const { answer, socket } = await openDuringChange({ ...editor, role: "viewer" });
    expect(answer).toMatchObject({ ok: true, role: "viewer", readOnly: true });
    expect(socket.rooms.has(`project:${PROJECT}:writers`)).toBe(false);
  });
});
