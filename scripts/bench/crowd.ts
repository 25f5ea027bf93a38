/**
 * W6, the crowd: every client of every room starts connecting within one
 * second, as when a class or an all-hands opens the same project. Reports
 * how long each waited for its open to be acknowledged, how many never were,
 * how many presence and awareness messages the clients received in all (a
 * server that tells the whole room of every arrival sends a number that
 * grows with the square of the crowd); run.ts adds up its generators' and
 * measures the server CPU it all cost.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { BenchClient, Room, ServerKind } from "./clients.js";
import { connectClient } from "./clients.js";

export interface CrowdOptions {
  kind: ServerKind;
  url: string;
  rooms: Room[];
  clientsPerRoom: number;
  /** Over how long the arrivals are spread. */
  arrivalMs: number;
  /** Which of `count` generator processes this is: it runs every `count`-th client, on the common schedule. */
  generator: { index: number; count: number };
}

/** What one generator saw; run.ts adds them up and measures the server over the same time. */
export interface CrowdSample {
  sockets: number;
  openTimes: number[];
  refused: number;
  presenceMessages: number;
  awarenessMessages: number;
  generator: { cpuSeconds: number; loopDelayP99Ms: number };
}

/** An open not acknowledged by then counts as never acknowledged. */
const OPEN_TIMEOUT_MS = 30_000;
/** The crowd has settled once no client heard anything for this long. */
const QUIET_MS = 2_000;

export async function crowd(options: CrowdOptions): Promise<CrowdSample> {
  const total = options.rooms.length * options.clientsPerRoom;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const clients: BenchClient[] = [];
  const openTimes: number[] = [];
  let refused = 0;
  let presenceMessages = 0;
  let awarenessMessages = 0;
  let lastHeard = performance.now();
  const heard = (counter: "presence" | "awareness") => {
    if (counter === "presence") presenceMessages += 1;
    else awarenessMessages += 1;
    lastHeard = performance.now();
  };
  const settled: Promise<void>[] = [];
  let index = 0;
  for (const room of options.rooms) {
    for (let i = 0; i < options.clientsPerRoom; i++, index++) {
      if (index % options.generator.count !== options.generator.index) continue;
      const at = (index / total) * options.arrivalMs;
      settled.push(
        new Promise<void>((resolve) => {
          setTimeout(() => {
            const connectedFrom = performance.now();
            const client = connectClient(options.kind, options.url, room, i, { heard });
            clients.push(client);
            const timer = setTimeout(resolve, OPEN_TIMEOUT_MS);
            client.opened.then(
              () => {
                openTimes.push(performance.now() - connectedFrom);
                clearTimeout(timer);
                resolve();
              },
              () => {
                refused += 1;
                clearTimeout(timer);
                resolve();
              },
            );
          }, at);
        }),
      );
    }
  }
  await Promise.all(settled);
  const settleDeadline = performance.now() + OPEN_TIMEOUT_MS;
  while (performance.now() - lastHeard < QUIET_MS && performance.now() < settleDeadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  for (const client of clients) client.close();
  return {
    sockets: clients.length,
    openTimes,
    refused,
    presenceMessages,
    awarenessMessages,
    generator: { cpuSeconds: (cpu.user + cpu.system) / 1e6, loopDelayP99Ms: loopDelay.percentile(99) / 1e6 },
  };
}
