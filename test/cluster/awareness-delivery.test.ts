import { createClient } from "redis";
import { describe, it } from "vitest";
import * as Y from "yjs";
import { writeAwarenessUpdate } from "../../src/collab/awareness-messages.js";
import { writePeerMessage } from "../../src/collab/peer-messages.js";
import { type TestNode, useCluster } from "../helpers/cluster.js";
import { awarenessUntil, provider, until } from "../helpers/collab.js";
import { projectWithTeam } from "../helpers/projects.js";

const cluster = useCluster(1);

describe("awareness from another node, to a reader that keeps up", () => {
  it("reaches every socket even when it arrives right behind an edit, in the same read from Redis", async () => {
    const node = cluster.nodes[0] as TestNode;
    const team = await projectWithTeam(node.url);
    const watcher = provider(node.url, team.owner.token, team.projectId);
    await watcher.whenSynced();
    const publisher = createClient({ url: cluster.redis.url });
    await publisher.connect();
    try {
      // What a node whose client types sends for one keystroke: the edit, then the cursor that moved with it.
      const typist = new Y.Doc();
      const channel = `collab:doc:${team.projectId}`;
      const binding = [{ clientId: typist.clientID, userId: team.editor.user.id }];
      for (let move = 1; move <= 5; move++) {
        const before = Y.encodeStateVector(typist);
        typist.getText("body").insert(0, `${move};`);
        const edit = Y.encodeStateAsUpdate(typist, before);
        const cursor = writeAwarenessUpdate([{ clientId: typist.clientID, clock: move, state: { cursor: move } }]);
        // One round trip: Redis hands both to the node in one read.
        await publisher
          .multi()
          .publish(
            channel,
            Buffer.from(writePeerMessage("elsewhere", { type: "update", payload: edit, bindings: binding })),
          )
          .publish(
            channel,
            Buffer.from(writePeerMessage("elsewhere", { type: "awareness", payload: cursor, bindings: binding })),
          )
          .exec();
        await until(watcher.doc, () => watcher.doc.getText("body").toString().startsWith(`${move};`));
        // That node would not send this state again for 15 s: a move dropped here stays lost that long.
        await awarenessUntil(watcher.awareness, (states) => states.get(typist.clientID)?.cursor === move, 2_000);
      }
    } finally {
      await publisher.close();
    }
  }, 30_000);
});
