import { describe, expect, it } from "vitest";
import { type TestNode, useCluster } from "../helpers/cluster.js";
import { request } from "../helpers/http.js";

const cluster = useCluster(2, { AUTH_RATE_LIMIT_PER_MINUTE: "6" });

describe("the auth rate limit in a cluster", () => {
  it("counts a client's requests on every node together", async () => {
    const [a, b] = cluster.nodes as [TestNode, TestNode];
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const node = i % 2 === 0 ? a : b;
      const response = await request(node.url, "POST", "/api/auth/login", {
        body: { email: "nobody@example.test", password: "wrong password" },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
  });
});
