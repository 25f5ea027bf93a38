/**
 * Hocuspocus (`@hocuspocus/server`), in memory, with its defaults: no
 * extensions, so it stores nothing and checks nobody, as the reference.
 * Version 3, the last that runs on Node 20.
 */
import { Server } from "@hocuspocus/server";

const server = new Server({ port: 0, address: "127.0.0.1", quiet: true });
await server.listen();
process.stdout.write(`listening on ws://127.0.0.1:${server.address.port}\n`);
