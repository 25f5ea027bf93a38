/**
 * `npm run hardening`: the attacks of the hardening issue, run against the
 * service as `npm start` runs it (compiled build, default settings, the
 * embedded database in the same process), each for a few seconds, with the
 * service's memory and an honest collaborator's edit latency printed beside
 * a baseline measured first in the same run. Prints figures; asserts nothing
 * (the test suite does that).
 */

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { MongoClient } from "mongodb";
import { io, type Socket } from "socket.io-client";
import WebSocket from "ws";
import * as Y from "yjs";
import { children, onLines, stop } from "./bench/child-processes.js";

const SECONDS = Number(process.env.HARDENING_SECONDS ?? 8);

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
}

async function api(url: string, path: string, token: string | undefined, body?: unknown, method = "POST") {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as Record<string, Record<string, string>>;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const message = (type: number, payload: Uint8Array) => {
  const header = [type];
  let length = payload.byteLength;
  const varuint: number[] = [];
  do {
    varuint.push((length & 0x7f) | (length > 0x7f ? 0x80 : 0));
    length >>>= 7;
  } while (length > 0);
  return new Uint8Array([...header, ...varuint, ...payload]);
};

function connect(url: string, token: string): Promise<Socket> {
  const socket = io(`${url}/projects`, {
    auth: { token },
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

async function open(socket: Socket, projectId: string) {
  const response = await socket.timeout(30_000).emitWithAck("project:open", projectId);
  if (!response.ok) throw new Error(`open: ${JSON.stringify(response)}`);
}

/** An honest pair: one editor types a timestamp every 50 ms, the other measures when it arrives. */
async function latencyProbe(url: string, typist: string, reader: string, projectId: string) {
  const writer = await connect(url, typist);
  const observer = await connect(url, reader);
  await open(writer, projectId);
  await open(observer, projectId);
  const doc = new Y.Doc();
  const seen = new Y.Doc();
  let samples: number[] = [];
  observer.on("yjs:sync", (_id: string, data: string | Buffer) => {
    const bytes = typeof data === "string" ? Buffer.from(data, "base64") : new Uint8Array(data);
    if (bytes[0] !== 2) return;
    let offset = 1;
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[offset++] as number;
      length |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    const update = bytes.subarray(offset, offset + length);
    const before = seen.getText("t").toString().length;
    Y.applyUpdate(seen, update);
    const added = seen
      .getText("t")
      .toString()
      .slice(0, seen.getText("t").toString().length - before);
    for (const stamp of added.split(";").filter(Boolean)) samples.push(Date.now() - Number(stamp));
  });
  const timer = setInterval(() => {
    const before = Y.encodeStateVector(doc);
    doc.getText("t").insert(0, `${Date.now()};`);
    writer.emit("yjs:sync", projectId, b64(message(2, Y.encodeStateAsUpdate(doc, before))), () => {});
  }, 50);
  return {
    take() {
      const taken = samples;
      samples = [];
      return { p50: percentile(taken, 50), p99: percentile(taken, 99), count: taken.length };
    },
    stop() {
      clearInterval(timer);
      writer.close();
      observer.close();
    },
  };
}

/** Bytes of random text as one update from a fresh client, in pieces small enough for MAX_UPDATE_BYTES. */
async function fill(socket: Socket, projectId: string, megabytes: number): Promise<Y.Doc> {
  const doc = new Y.Doc();
  for (let done = 0; done < megabytes; done += 1.8) {
    const before = Y.encodeStateVector(doc);
    doc.getText("body").insert(0, randomBytes(Math.min(1.8, megabytes - done) * 500_000).toString("hex"));
    for (;;) {
      const answer = await socket
        .timeout(30_000)
        .emitWithAck("yjs:sync", projectId, message(2, Y.encodeStateAsUpdate(doc, before)));
      if (answer.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 1000)); // the byte budget refills
    }
  }
  return doc;
}

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
        for (let i = 0; i < 9; i++) ws.send(Buffer.alloc(4 * 1024 * 1024));
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
  const started = Date.now();
  const times = await Promise.all(crowd.map((socket) => open(socket, projectId).then(() => Date.now() - started)));
  console.log(
    `1,000 sockets opening the project at once: all acknowledged, p50 ${percentile(times, 50)} ms, last after ${Math.max(...times)} ms`,
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

/** `node dist/main.js` with nothing set but a free port; its URL and its embedded database's, from its logs. */
function startService(): Promise<{ child: ReturnType<typeof spawn>; url: string; databaseUri: string }> {
  const child = spawn(process.execPath, ["dist/main.js"], {
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let databaseUri = "";
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the service exited with ${code}`)));
    onLines(child, (line) => {
      databaseUri ||= /"uri":"(mongodb:\/\/[^"]+)"/.exec(line)?.[1] ?? "";
      const listening = /listening on (http:\/\/\S+)"/.exec(line);
      if (listening) resolve({ child, url: listening[1] as string, databaseUri });
    });
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
