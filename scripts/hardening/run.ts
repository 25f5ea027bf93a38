/**
 * `npm run hardening`: the attacks of the hardening issue, run against the
 * service as `npm start` runs it (compiled build, default settings, the
 * embedded database in the same process), each for a few seconds, with the
 * service's memory and an honest collaborator's edit latency printed beside
 * a baseline measured first in the same run. Prints figures; asserts nothing
 * (the test suite does that).
 */

import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import type { Socket } from "socket.io-client";
import WebSocket from "ws";
import * as Y from "yjs";
import { stop } from "../bench/child-processes.js";
import { api, b64, connect, fill, latencyProbe, message, open, percentile, rssMb, startService } from "./clients.js";

const SECONDS = Number(process.env.HARDENING_SECONDS ?? 8);

/** Runs `attack` for SECONDS while sampling memory and the probe; prints one line. */
async function measure(
  name: string,
  pid: number,
  probe: Awaited<ReturnType<typeof latencyProbe>>,
  attack: () => () => string,
) {
  probe.take();
  const before = rssMb(pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 100);
  const end = attack();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const note = end();
  clearInterval(sampler);
  const latency = probe.take();
  console.log(
    `${name.padEnd(46)} RSS ${String(before).padStart(4)} → peak ${String(peak).padStart(4)} MB   others' latency p50 ${String(latency.p50).padStart(4)} ms, p99 ${String(latency.p99).padStart(5)} ms   ${note}`,
  );
}

async function main() {
  const { child, url, databaseUri } = await startService();
  const pid = child.pid as number;
  const register = async (name: string) => {
    const body = await api(url, "/api/auth/register", undefined, {
      email: `${name}-${randomBytes(4).toString("hex")}@example.test`,
      password: "hardening password",
      name,
    });
    return { token: body.token as unknown as string, email: body.user?.email as string };
  };
  const [owner, typist, viewer] = [await register("owner"), await register("typist"), await register("viewer")];
  const { project } = await api(url, "/api/projects", owner.token, { name: "target" });
  const projectId = project?.id as string;
  for (const [user, role] of [
    [typist, "editor"],
    [viewer, "viewer"],
  ] as const) {
    await api(url, `/api/projects/${projectId}/members`, owner.token, { email: user.email, role });
  }
  const filler = await connect(url, owner.token);
  await open(filler, projectId);
  const document = await fill(filler, projectId, 1.7);
  const documentBytes = Y.encodeStateAsUpdate(document);
  console.log(
    `service ${url} (npm start defaults), document ${(documentBytes.byteLength / 1e6).toFixed(2)} MB, ${SECONDS} s per line`,
  );

  const probe = await latencyProbe(url, typist.token, owner.token, projectId);
  await measure("baseline (no attack)", pid, probe, () => () => "");

  await measure("slow reader: empty step 1 every 10 ms, never reads", pid, probe, () => {
    const ws = new WebSocket(`${url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    ws.on("close", () => {
      closed = true;
    });
    ws.on("open", () => {
      ws.send(`40/projects,${JSON.stringify({ token: viewer.token })}`);
      setTimeout(() => {
        ws.send(`42/projects,1${JSON.stringify(["project:open", projectId])}`);
        setTimeout(() => {
          (ws as unknown as { _socket: { pause(): void } })._socket.pause();
          const step1 = JSON.stringify(["yjs:sync", projectId, b64(message(0, new Uint8Array([0])))]);
          timer = setInterval(() => ws.readyState === ws.OPEN && ws.send(`42/projects,${step1}`), 10);
        }, 300);
      }, 300);
    });
    return () => {
      clearInterval(timer);
      ws.terminate();
      return closed ? "closed by the server" : "still connected";
    };
  });

  await measure("reading client: empty step 1 every 10 ms", pid, probe, () => {
    let timer: NodeJS.Timeout | undefined;
    let refused = 0;
    let socket: Socket | undefined;
    connect(url, viewer.token).then(async (connected) => {
      socket = connected;
      await open(connected, projectId);
      timer = setInterval(
        () =>
          connected.emit(
            "yjs:sync",
            projectId,
            b64(message(0, new Uint8Array([0]))),
            (a: { ok: boolean }) => !a.ok && refused++,
          ),
        10,
      );
    });
    return () => {
      clearInterval(timer);
      socket?.close();
      return `${refused} refused`;
    };
  });

  await measure("viewer: the whole document as step 2, 8 a second", pid, probe, () => {
    let timer: NodeJS.Timeout | undefined;
    let refused = 0;
    let accepted = 0;
    let socket: Socket | undefined;
    const replay = message(1, documentBytes);
    connect(url, viewer.token).then(async (connected) => {
      socket = connected;
      await open(connected, projectId);
      timer = setInterval(
        () => connected.emit("yjs:sync", projectId, replay, (a: { ok: boolean }) => (a.ok ? accepted++ : refused++)),
        125,
      );
    });
    return () => {
      clearInterval(timer);
      socket?.close();
      return `${accepted} decoded, ${refused} refused`;
    };
  });

  await measure("8 loops downloading the document over HTTP", pid, probe, () => {
    let running = true;
    const counts: Record<number, number> = {};
    for (let i = 0; i < 8; i++) {
      (async () => {
        let etag: string | undefined;
        while (running) {
          const response = await fetch(`${url}/api/projects/${projectId}/document`, {
            headers: { authorization: `Bearer ${viewer.token}`, ...(i % 2 && etag ? { "if-none-match": etag } : {}) },
          });
          etag = response.headers.get("etag") ?? etag;
          await response.arrayBuffer();
          counts[response.status] = (counts[response.status] ?? 0) + 1;
        }
      })();
    }
    return () => {
      running = false;
      return Object.entries(counts)
        .map(([status, count]) => `${count}×${status}`)
        .join(" ");
    };
  });

  await measure("8 connections announcing attachments, no namespace", pid, probe, () => {
    const sockets = Array.from({ length: 8 }, () => {
      const ws = new WebSocket(`${url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
      ws.on("open", () => {
        ws.send(
          `4510-/projects,["x",${Array.from({ length: 10 }, (_, num) => `{"_placeholder":true,"num":${num}}`).join(",")}]`,
        );
        for (let i = 0; i < 9; i++) ws.send(Buffer.alloc(1024 * 1024));
      });
      ws.on("error", () => {});
      return ws;
    });
    return () => {
      const open = sockets.filter((ws) => ws.readyState === ws.OPEN).length;
      for (const ws of sockets) ws.terminate();
      return `${open} of 8 still open`;
    };
  });

  probe.stop();
  const crowd = await Promise.all(
    Array.from({ length: 1000 }, (_, i) => connect(url, [owner, typist, viewer][i % 3]!.token)),
  );
  // With `npm start`'s defaults the room holds MAX_SOCKETS_PER_PROJECT (200) sockets: the rest must be refused,
  // quickly and with ROOM_FULL, not left waiting.
  const started = Date.now();
  const answers = await Promise.all(
    crowd.map(async (socket) => {
      const response = await socket.timeout(30_000).emitWithAck("project:open", projectId);
      return { code: response.ok ? "ok" : String(response.error?.code), ms: Date.now() - started };
    }),
  );
  const byCode = new Map<string, number>();
  for (const { code } of answers) byCode.set(code, (byCode.get(code) ?? 0) + 1);
  const times = answers.map((answer) => answer.ms);
  console.log(
    `1,000 sockets opening the project at once: ${[...byCode].map(([code, count]) => `${count}×${code}`).join(" ")}, answered p50 ${percentile(times, 50)} ms, last after ${Math.max(...times)} ms`,
  );
  for (const socket of crowd) socket.close();

  const ownDatabase = await MongoClient.connect(databaseUri).catch(() => undefined);
  if (ownDatabase) {
    let nested: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 10_000; i++) nested = { a: nested };
    const reply = await ownDatabase
      .db("collab")
      .command({ find: "x", filter: nested })
      .catch((error: Error) => error.message);
    console.log(
      `embedded database, a find nested 10,000 levels: ${String(reply).slice(0, 60)}; service still answers: ${(await fetch(`${url}/healthz`)).status}`,
    );
    await ownDatabase.close();
  }
  filler.close();
  await stop(child);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
