import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { registerUser, request } from "./helpers/http.js";
import { killAll, startServiceProcess } from "./helpers/processes.js";
import { startService } from "./helpers/service.js";
import { closeAllSockets, connectProjects, disconnected, nextEvent } from "./helpers/sockets.js";

afterEach(() => killAll());

describe("service lifecycle", () => {
  it("runs isolated instances side by side in one process", async () => {
    const first = await startService();
    const second = await startService();
    try {
      const account = await registerUser(first.url, "Solo");
      expect((await request(first.url, "GET", "/api/me", { token: account.token })).status).toBe(200);
      const elsewhere = await request(second.url, "POST", "/api/auth/login", {
        body: { email: account.email, password: "correct horse battery" },
      });
      expect(elsewhere.status).toBe(401);
    } finally {
      await first.close();
      await second.close();
    }
    await first.close(); // closing twice is harmless
  });

  it("starts with no configuration, warns about the generated secret, and exits 0 on SIGTERM", async () => {
    const { child, address: url, lines } = await startServiceProcess({});
    expect(lines.join("\n")).toContain("JWT_SECRET is not set");
    expect(lines.join("\n")).toContain("embedded in-memory database");
    expect((await request(url, "GET", "/readyz")).status).toBe(200);
    const account = await registerUser(url, "Proc");
    expect(lines.join("\n")).not.toContain(account.token);
    expect(lines.join("\n")).not.toContain("correct horse battery");
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("drains on SIGTERM: its sockets hear server:draining and go, then it stops cleanly and exits 0", async () => {
    const { child, address: url, lines } = await startServiceProcess({ DRAIN_SECONDS: "1" });
    const account = await registerUser(url, "Drained");
    const socket = await connectProjects(url, account.token);
    const told = nextEvent(socket, "server:draining");
    const gone = disconnected(socket);
    child.kill("SIGTERM");
    expect(await told).toEqual({ withinMs: 1000 });
    expect(await gone).toBe("io server disconnect");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    const log = lines.join("\n");
    expect(log).toContain("draining: every socket is gone");
    expect(log).toContain('"msg":"stopped"');
    closeAllSockets();
  });

  it("refuses to start with a short JWT_SECRET, saying why", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: { ...process.env, PORT: "0", JWT_SECRET: "too-short" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(1);
    expect(stderr).toContain("JWT_SECRET");
    expect(stderr).toContain("at least 32 bytes");
  });
});
