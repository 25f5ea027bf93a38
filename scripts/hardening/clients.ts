/** The clients and measurements `npm run hardening` is made of: real socket.io-client and Yjs, nothing of the service's. */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { io, type Socket } from "socket.io-client";
import * as Y from "yjs";
import { children, onLines } from "../bench/child-processes.js";

export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
}

export async function api(url: string, path: string, token: string | undefined, body?: unknown, method = "POST") {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as Record<string, Record<string, string>>;
}

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
export const message = (type: number, payload: Uint8Array) => {
  const header = [type];
  let length = payload.byteLength;
  const varuint: number[] = [];
  do {
    varuint.push((length & 0x7f) | (length > 0x7f ? 0x80 : 0));
    length >>>= 7;
  } while (length > 0);
  return new Uint8Array([...header, ...varuint, ...payload]);
};

export function connect(url: string, token: string): Promise<Socket> {
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

export async function open(socket: Socket, projectId: string) {
  const response = await socket.timeout(30_000).emitWithAck("project:open", projectId);
  if (!response.ok) throw new Error(`open: ${JSON.stringify(response)}`);
}

/** An honest pair: one editor types a timestamp every 50 ms, the other measures when it arrives. */
export async function latencyProbe(url: string, typist: string, reader: string, projectId: string) {
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
export async function fill(socket: Socket, projectId: string, megabytes: number): Promise<Y.Doc> {
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

/** `node dist/main.js` with nothing set but a free port; its URL and its embedded database's, from its logs. */
export function startService(): Promise<{ child: ReturnType<typeof spawn>; url: string; databaseUri: string }> {
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
