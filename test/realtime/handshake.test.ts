import jwt from "jsonwebtoken";
import { describe, expect, it } from "vitest";
import { registerUser } from "../helpers/http.js";
import { useService } from "../helpers/lifecycle.js";
import { connectNotifications, connectProjects, disconnected, refusal } from "../helpers/sockets.js";

const SECRET = "h".repeat(40);
const running = useService({ JWT_SECRET: SECRET });

describe("realtime handshake", () => {
  it("accepts a valid token on /projects and /notifications", async () => {
    const { token } = await registerUser(running.url, "Hand");
    expect((await connectProjects(running.url, token)).connected).toBe(true);
    expect((await connectNotifications(running.url, token)).connected).toBe(true);
  });

  it("refuses no token, a bad token, a forged one and an expired one with connect_error unauthorized", async () => {
    const { user } = await registerUser(running.url, "Refused");
    const expired = jwt.sign({ sub: user.id, exp: Math.floor(Date.now() / 1000) - 5 }, SECRET, { algorithm: "HS256" });
    const forged = jwt.sign({}, "x".repeat(40), { algorithm: "HS256", subject: user.id, expiresIn: 60 });
    for (const namespace of ["/projects", "/notifications"]) {
      for (const auth of [{}, { token: "garbage" }, { token: forged }, { token: expired }, { token: { $gt: "" } }]) {
        const error = await refusal(running.url, namespace, auth);
        expect(error.message).toBe("unauthorized");
        expect(error.data).toEqual({ code: "UNAUTHORIZED" });
      }
    }
  });

  it("disconnects a socket when its token expires", async () => {
    const { user } = await registerUser(running.url, "Expiring");
    const token = jwt.sign({ sub: user.id, exp: Math.floor(Date.now() / 1000) + 2 }, SECRET, { algorithm: "HS256" });
    const socket = await connectProjects(running.url, token);
    const notifications = await connectNotifications(running.url, token);
    const [reason, notificationsReason] = await Promise.all([disconnected(socket), disconnected(notifications)]);
    expect(reason).toBe("io server disconnect");
    expect(notificationsReason).toBe("io server disconnect");
  });

  it("serves nothing on the main namespace", async () => {
    const { token } = await registerUser(running.url, "Root");
    const error = await refusal(running.url, "/", { token });
    expect(error.message).toBe("unknown namespace");
  });
});
