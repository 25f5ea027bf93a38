import { io } from "socket.io-client";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { ProjectProvider } from "../../src/client/index.js";
import { whenStored } from "../helpers/collab.js";
import { useService } from "../helpers/lifecycle.js";
import { projectWithTeam } from "../helpers/projects.js";

const running = useService();

describe("clients sharing one Socket.IO manager", () => {
  it("connect the provider once when /notifications opened the connection first", async () => {
    const team = await projectWithTeam(running.url);
    // The app's own socket, with io()'s defaults (autoConnect). No forceNew: io()'s cache hands the provider the same
    // manager, hence one WebSocket, and that manager connects every new socket at once.
    const socketOptions = { transports: ["websocket"] };
    const notifications = io(`${running.url}/notifications`, { ...socketOptions, auth: { token: team.editor.token } });
    await new Promise<void>((resolve) => notifications.once("connect", () => resolve()));

    const connects: string[] = [];
    (notifications.io.engine as unknown as EngineLike).on(
      "packetCreate",
      (packet: { type: string; data?: unknown }) => {
        if (packet.type === "message" && String(packet.data).startsWith("0/projects")) connects.push("CONNECT");
      },
    );
    const errors: unknown[] = [];
    const opens: unknown[] = [];
    const editor = new ProjectProvider({
      url: running.url,
      token: team.editor.token,
      projectId: team.projectId,
      doc: new Y.Doc(),
      socketOptions,
    });
    editor.on("error", (error) => errors.push(error));
    editor.on("open", (result) => opens.push(result));
    try {
      await editor.whenSynced();
      editor.doc.getText("body").insert(0, "one connection");
      await whenStored(editor);
      expect(connects).toEqual(["CONNECT"]);
      expect(opens).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      editor.destroy();
      notifications.close();
    }
  });
});

interface EngineLike {
  on(event: "packetCreate", listener: (packet: { type: string; data?: unknown }) => void): void;
}
