import { connect, createServer, type Socket } from "node:net";

export interface TestBalancer {
  url: string;
  close(): Promise<void>;
}

const HEALTH_CHECK_MS = 100;

/**
 * A TCP load balancer in front of service nodes, as a deployment has one:
 * each new connection goes to the next node (round robin) whose `/readyz`
 * answered 200 at the last check, every HEALTH_CHECK_MS. No stickiness:
 * good for WebSocket-only clients, as the README says.
 */
export async function startBalancer(backends: string[]): Promise<TestBalancer> {
  const ready = new Set<string>();
  const check = async () => {
    await Promise.all(
      backends.map(async (backend) => {
        try {
          const response = await fetch(`${backend}/readyz`, { signal: AbortSignal.timeout(HEALTH_CHECK_MS * 5) });
          if (response.ok) ready.add(backend);
          else ready.delete(backend);
        } catch {
          ready.delete(backend);
        }
      }),
    );
  };
  await check();
  const timer = setInterval(() => void check(), HEALTH_CHECK_MS);
  const open = new Set<Socket>();
  let next = 0;
  const server = createServer((client) => {
    const candidates = backends.filter((backend) => ready.has(backend));
    const backend = candidates[next++ % Math.max(1, candidates.length)];
    if (!backend) {
      client.destroy();
      return;
    }
    const { hostname, port } = new URL(backend);
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.once("close", () => open.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the balancer is not listening");
  return {
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      clearInterval(timer);
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
