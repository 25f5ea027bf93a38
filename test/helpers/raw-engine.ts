import WebSocket from "ws";

/**
 * A Socket.IO client written by hand on a bare WebSocket (Engine.IO v4,
 * the default parser's text packets), for what socket.io-client will not
 * do: stop reading its socket, send malformed frames, count raw frames.
 */
export interface RawEngineClient {
  ws: WebSocket;
  /** Text packets received, in order (pings excluded). */
  texts: string[];
  /** Binary frames received. */
  binaries: number;
  /** Sends an event on a namespace, with string arguments only. */
  emit(namespace: string, event: string, ...args: string[]): void;
  /** Stops reading from the TCP socket: the server's writes pile up. */
  pause(): void;
  resume(): void;
  closed: Promise<void>;
}

export async function rawEngineClient(url: string): Promise<RawEngineClient> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`);
  const client: RawEngineClient = {
    ws,
    texts: [],
    binaries: 0,
    emit(namespace, event, ...args) {
      ws.send(`42${namespace},${JSON.stringify([event, ...args])}`);
    },
    pause() {
      (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    },
    resume() {
      (ws as unknown as { _socket: { resume(): void } })._socket.resume();
    },
    closed: new Promise((resolve) => ws.once("close", () => resolve())),
  };
  ws.on("message", (data, isBinary) => {
    if (isBinary) {
      client.binaries += 1;
      return;
    }
    const text = data.toString();
    if (text === "2") ws.send("3");
    else client.texts.push(text);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return client;
}

/** Joins a namespace with a token and resolves once the server accepted it. */
export async function connectNamespace(client: RawEngineClient, namespace: string, token: string): Promise<void> {
  client.ws.send(`40${namespace},${JSON.stringify({ token })}`);
  await waitForText(client, (text) => text.startsWith(`40${namespace},`));
}

/** Resolves once a text packet matching `accept` has arrived (already, or later). */
export function waitForText(client: RawEngineClient, accept: (text: string) => boolean, timeoutMs = 5000) {
  return new Promise<string>((resolve, reject) => {
    const found = client.texts.find(accept);
    if (found) return resolve(found);
    const timer = setTimeout(() => {
      client.ws.off("message", listener);
      reject(new Error("timed out waiting for a packet"));
    }, timeoutMs);
    const listener = (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary || !accept(data.toString())) return;
      clearTimeout(timer);
      client.ws.off("message", listener);
      resolve(data.toString());
    };
    client.ws.on("message", listener);
  });
}
