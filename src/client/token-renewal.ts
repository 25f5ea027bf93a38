/** A JWT's `iat` and `exp` (seconds), read without verifying: only to know when to renew it. */
export function tokenTimes(token: string): { issuedAt: number; expiresAt: number } | undefined {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const { iat, exp } = JSON.parse(json) as { iat?: unknown; exp?: unknown };
    if (typeof iat !== "number" || typeof exp !== "number") return undefined;
    return { issuedAt: iat, expiresAt: exp };
  } catch {
    return undefined;
  }
}

/** Renewed this long before expiry, or a third of the token's life when that is shorter. */
const LEAD_MS = 60_000;

/**
 * Asks for a fresh token before the current one expires and hands it to the
 * server on the open connection (`auth:refresh`), so the server never
 * disconnects a long session at `exp`. Only for a token function: a fixed
 * string cannot be renewed (the app calls `setToken` instead).
 */
export class TokenRenewal {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    /** The app's token function, if it gave one. */
    private readonly fetchToken: (() => string | Promise<string>) | undefined,
    /** Sends a token to the server; resolves whether it was accepted. */
    private readonly send: (token: string) => Promise<boolean>,
  ) {}

  /** `token` is in use from now on: renew it in time. */
  schedule(token: string): void {
    this.stop();
    const fetchToken = this.fetchToken;
    const times = tokenTimes(token);
    if (!fetchToken || !times) return;
    const lead = Math.min(LEAD_MS, ((times.expiresAt - times.issuedAt) * 1000) / 3);
    const wait = Math.max(0, times.expiresAt * 1000 - lead - Date.now());
    this.timer = setTimeout(async () => {
      let fresh: string;
      try {
        fresh = await fetchToken();
      } catch {
        return; // the app could not get one: the connection ends at expiry and reconnects with a new handshake
      }
      if (await this.send(fresh)) this.schedule(fresh);
    }, wait);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

export type TokenSource = string | (() => string | Promise<string>);

/**
 * The provider's credentials: what each handshake sends (the string, or a
 * fresh answer of the function), which token the open connection uses, and
 * its renewal before expiry.
 */
export class ProviderTokens {
  private inUse = "";
  private readonly renewal: TokenRenewal;

  constructor(
    private source: TokenSource,
    send: (token: string) => Promise<boolean>,
  ) {
    this.renewal = new TokenRenewal(typeof source === "function" ? source : undefined, async (token) => {
      const accepted = await send(token);
      if (accepted) this.inUse = token;
      return accepted;
    });
  }

  /** socket.io-client's `auth` option: asked at every (re)connect. */
  readonly auth = (callback: (data: object) => void) => {
    const source = this.source;
    Promise.resolve(typeof source === "function" ? source() : source).then(
      (value) => {
        this.inUse = value;
        callback({ token: value });
      },
      () => callback({ token: "" }),
    );
  };

  /** A string token replaces whatever was given before, for every later handshake. */
  replace(token: string): void {
    this.source = token;
  }

  accepted(token: string): void {
    this.inUse = token;
  }

  /** The connection is open with the token in use: renew it in time. */
  opened(): void {
    this.renewal.schedule(this.inUse);
  }

  stop(): void {
    this.renewal.stop();
  }
}
