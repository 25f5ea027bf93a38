import { describe, expect, it } from "vitest";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";
import { connectProjects, nextEvent, openProject } from "../helpers/sockets.js";

const running = useService();

describe("garbage on every event", () => {
  it("never throws, always answers an ack, and never disconnects other sockets", async () => {
    const team = await projectWithTeam(running.url);
    const bystander = await connectProjects(running.url, team.viewer.token);
    await openProject(bystander, team.projectId);
    const attacker = await connectProjects(running.url, team.editor.token);
    const raw = attacker as unknown as {
      emit(event: string, ...args: unknown[]): void;
      timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
    };

    const payloads: unknown[] = [
      undefined,
      null,
      0,
      -1,
      "",
      "x".repeat(100_000),
      {},
      { $gt: "" },
      [],
      [[[]]],
      true,
      new Uint8Array(64),
    ];
    for (const event of ["project:open", "project:close", "yjs:sync", "yjs:awareness", "no-such-event"]) {
      for (const payload of payloads) {
        raw.emit(event); // no arguments, no ack
        raw.emit(event, payload); // no ack
        raw.emit(event, payload, payload, payload);
      }
    }
    for (const event of ["project:open", "project:close"]) {
      for (const payload of payloads) {
        const response = (await raw.timeout(5000).emitWithAck(event, payload)) as {
          ok: boolean;
          error?: { code: string };
        };
        if (!response.ok) expect(["VALIDATION", "NOT_FOUND"]).toContain(response.error?.code);
      }
    }
    expect(attacker.connected).toBe(true);
    expect(bystander.connected).toBe(true);

    // The service still does its job for everyone.
    const presence = nextEvent<{ online: unknown[] }>(bystander, "presence", (p) => p.online.length === 2);
    expect(await openProject(attacker, team.projectId)).toMatchObject({ ok: true });
    await presence;
  });
});
