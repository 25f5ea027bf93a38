/**
 * A server's memory after a full garbage collection, through the inspector
 * protocol (`--inspect=127.0.0.1:0`): what its connections retain, without
 * the garbage that RSS carries until the next collection happens to run.
 */
import { WebSocket } from "ws";

export interface HeapFigures {
  heapUsedKb: number;
  externalKb: number;
  rssKb: number;
}

/** The inspector's URL, from the line Node prints when `--inspect` is on. */
export const INSPECTOR_LINE = /Debugger listening on (ws:\/\/\S+)/;

export async function memoryAfterGc(inspectorUrl: string): Promise<HeapFigures> {
  const socket = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  let nextId = 1;
  const call = (method: string, params: object = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(data.toString()) as {
          id?: number;
          result?: Record<string, unknown>;
          error?: unknown;
        };
        if (message.id !== id) return;
        socket.off("message", onMessage);
        if (message.error) reject(new Error(JSON.stringify(message.error)));
        else resolve(message.result ?? {});
      };
      socket.on("message", onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    // Twice: what the first collection finalises (weak maps, closed sockets' buffers) goes in the second.
    await call("HeapProfiler.collectGarbage");
    await call("HeapProfiler.collectGarbage");
    const result = await call("Runtime.evaluate", {
      expression: "JSON.stringify(process.memoryUsage())",
      returnByValue: true,
    });
    const usage = JSON.parse((result.result as { value: string }).value) as NodeJS.MemoryUsage;
    return { heapUsedKb: usage.heapUsed / 1024, externalKb: usage.external / 1024, rssKb: usage.rss / 1024 };
  } finally {
    socket.close();
  }
}
