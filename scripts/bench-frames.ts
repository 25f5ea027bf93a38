/**
 * What one recipient of a broadcast costs the sending process, per WebSocket
 * frame: Socket.IO's room broadcast of a text event (what the service does),
 * the same event with a binary argument (two frames), and, as the in-run
 * baseline, the same prebuilt frame written straight to each socket's `ws`
 * sender, below Socket.IO's and engine.io's API. Receivers are real
 * socket.io-client connections in a child process; broadcasts are 1 ms apart,
 * so each frame is its own write, as when people type.
 *
 *   npm run bench:frames -- --clients 50 --rounds 2000 --reps 3
 */
import { fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Server, type Socket } from "socket.io";
import { io as connect } from "socket.io-client";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "50" },
    rounds: { type: "string", default: "2000" },
    reps: { type: "string", default: "3" },
    receiver: { type: "string" },
  },
});

const EVENT = "yjs:sync";
const PROJECT = "0123456789abcdef01234567";
const BYTES = new Uint8Array(60).fill(7);
const TEXT = Buffer.from(BYTES).toString("base64");

if (values.receiver) {
  // The child: connects, counts what arrives, reports when asked.
  let received = 0;
  const clients = Number(values.clients);
  for (let i = 0; i < clients; i++) {
    connect(values.receiver, { transports: ["websocket"] }).on(EVENT, () => received++);
  }
  process.on("message", () => process.send?.(received));
} else {
  await main();
}

interface EngineSocketInternals {
  transport: { socket?: { _sender?: { sendFrame(frame: Buffer[]): void }; constructor: unknown } };
}
type FrameBuilder = (data: Buffer, options: Record<string, unknown>) => Buffer[];

async function main() {
  const clients = Number(values.clients);
  const rounds = Number(values.rounds);
  const server = createServer();
  const io = new Server(server, { transports: ["websocket"] });
  const joined = new Promise<void>((resolve) => {
    io.on("connection", (socket) => {
      socket.join("room");
      if (io.of("/").sockets.size === clients) resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const receiver = fork(new URL(import.meta.url).pathname, ["--receiver", url, "--clients", String(clients)], {
    execArgv: process.execArgv,
  });
  await joined;
  const sockets = [...io.of("/").sockets.values()];

  const webSocketOf = (socket: Socket | undefined) => {
    const webSocket = (socket?.conn as unknown as EngineSocketInternals | undefined)?.transport.socket;
    if (!webSocket?._sender) throw new Error("not a websocket transport");
    return webSocket as Required<typeof webSocket>;
  };
  const { Sender } = webSocketOf(sockets[0]).constructor as { Sender: { frame: FrameBuilder } };
  // Looked up once, so the baseline times the writes and nothing else.
  const senders = sockets.map((socket) => webSocketOf(socket)._sender);
  const modes: Record<string, () => void> = {
    "prebuilt frame to each ws (baseline)": () => {
      const data = Buffer.from(`42${JSON.stringify([EVENT, PROJECT, TEXT])}`);
      const frame = Sender.frame(data, { readOnly: false, mask: false, rsv1: false, opcode: 1, fin: true });
      for (const sender of senders) sender.sendFrame(frame);
    },
    "Socket.IO broadcast, text": () => io.to("room").emit(EVENT, PROJECT, TEXT),
    "Socket.IO broadcast, binary": () => io.to("room").emit(EVENT, PROJECT, BYTES),
  };
  const framesPerRound: Record<string, number> = { "Socket.IO broadcast, binary": 2 };

  const counted = () =>
    new Promise<number>((resolve) => {
      receiver.once("message", (count) => resolve(Number(count)));
      receiver.send("count");
    });
  const results = new Map<string, number[]>();
  const names = Object.keys(modes);
  let expected = 0;
  process.stdout.write(
    `${clients} receivers, ${rounds} broadcasts 1 ms apart, ${values.reps} repetitions, node ${process.version}\n`,
  );
  for (let rep = 0; rep < Number(values.reps) + 1; rep++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + rep) % names.length] as string;
      const send = modes[name] as () => void;
      const before = process.cpuUsage();
      for (let i = 0; i < rounds; i++) {
        send();
        await sleep(1);
      }
      const used = process.cpuUsage(before);
      expected += rounds * clients;
      while ((await counted()) < expected) await sleep(20);
      // Repetition 0 warms the JIT up and is not reported.
      if (rep === 0) continue;
      const frames = rounds * clients * (framesPerRound[name] ?? 1);
      const perFrame = (used.user + used.system) / frames;
      results.set(name, [...(results.get(name) ?? []), perFrame]);
    }
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
  const baseline = median(results.get(names[0] as string) ?? []);
  for (const name of names) {
    const list = results.get(name) ?? [];
    const perFrame = median(list);
    const perRecipient = perFrame * (framesPerRound[name] ?? 1);
    process.stdout.write(
      `${name.padEnd(38)} ${perFrame.toFixed(2).padStart(6)} µs/frame  ${perRecipient.toFixed(2).padStart(6)} µs/recipient  ` +
        `${(perRecipient / baseline).toFixed(2)}× baseline  (${list.map((v) => v.toFixed(2)).join(", ")})\n`,
    );
  }
  receiver.kill();
  io.close();
}
