import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config/config.js";

const generate = () => "g".repeat(48);

describe("configuration from the environment", () => {
  it("has defaults that need no setup, generating a secret when none is given", () => {
    const { config, generatedSecret } = loadConfig({}, generate);
    expect(generatedSecret).toBe(true);
    expect(config.jwt.secret).toBe("g".repeat(48));
    expect(config.http.port).toBe(3000);
    expect(config.jwt.expiresInSeconds).toBe(3600);
    expect(config.mongodbUri).toBeUndefined();
    expect(config.auth.rateLimitPerMinute).toBe(30);
  });

  it("reads every variable", () => {
    const { config, generatedSecret } = loadConfig(
      {
        PORT: "8080",
        HOST: "0.0.0.0",
        MONGODB_URI: "mongodb://db.example:27017/app",
        JWT_SECRET: "x".repeat(32),
        JWT_EXPIRES_IN: "15m",
        LOG_LEVEL: "debug",
        AUTH_RATE_LIMIT_PER_MINUTE: "5",
        CORS_ORIGINS: "https://a.example, https://b.example",
      },
      generate,
    );
    expect(generatedSecret).toBe(false);
    expect(config).toMatchObject({
      http: { port: 8080, host: "0.0.0.0", corsOrigins: ["https://a.example", "https://b.example"] },
      mongodbUri: "mongodb://db.example:27017/app",
      jwt: { secret: "x".repeat(32), expiresInSeconds: 900 },
      logLevel: "debug",
      auth: { rateLimitPerMinute: 5 },
    });
  });

  it("names each bad value", () => {
    let caught: unknown;
    try {
      loadConfig(
        { PORT: "eighty", JWT_SECRET: "short", JWT_EXPIRES_IN: "forever", LOG_LEVEL: "loud", MONGODB_URI: "http://x" },
        generate,
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join("\n");
    for (const name of ["PORT", "JWT_SECRET", "JWT_EXPIRES_IN", "LOG_LEVEL", "MONGODB_URI"])
      expect(problems).toContain(name);
    expect(problems).toContain("at least 32 bytes");
  });

  it("joins a cluster only with a shared secret and a shared database", () => {
    const refused = () => loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" }, generate);
    expect(refused).toThrow(ConfigError);
    try {
      refused();
    } catch (error) {
      expect((error as ConfigError).problems.map((problem) => problem.split(":")[0])).toEqual([
        "JWT_SECRET",
        "MONGODB_URI",
      ]);
    }
    const { config } = loadConfig(
      {
        REDIS_URL: "redis://127.0.0.1:6379",
        JWT_SECRET: "x".repeat(32),
        MONGODB_URI: "mongodb://127.0.0.1:27017/app",
        NODE_ID: "edge-1",
      },
      generate,
    );
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(config.nodeId).toBe("edge-1");
    expect(loadConfig({}, generate, "host-42").config.nodeId).toBe("host-42");
    expect(() => loadConfig({ REDIS_URL: "http://nope" }, generate)).toThrow(ConfigError);
  });
});
