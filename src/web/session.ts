import { ApiClient, type PublicUser, tokenTimes } from "collab-backend/client";

const STORAGE_KEY = "collab-backend.session";

/**
 * The signed-in user's session: an ApiClient whose token lives in
 * sessionStorage (one tab, gone when the tab closes) and is renewed before
 * it expires, so a page left open stays signed in.
 */
export class Session {
  readonly api = new ApiClient({ url: "" });
  private renewal: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly expired: () => void) {}

  get user(): PublicUser | undefined {
    return this.api.user;
  }

  /** Restores the tab's session, if it has one that still works. */
  async restore(): Promise<boolean> {
    const token = sessionStorage.getItem(STORAGE_KEY);
    if (!token) return false;
    this.api.token = token;
    try {
      await this.api.me();
    } catch {
      this.signOut();
      return false;
    }
    await this.api.freshToken().catch(() => undefined);
    this.keep();
    return true;
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.api.login({ email, password });
    this.keep();
  }

  async register(name: string, email: string, password: string): Promise<void> {
    await this.api.register({ name, email, password });
    this.keep();
  }

  signOut(): void {
    clearTimeout(this.renewal);
    sessionStorage.removeItem(STORAGE_KEY);
    this.api.signOut();
  }

  /** What the realtime clients ask for at each handshake and before expiry. */
  readonly token = async (): Promise<string> => {
    const token = await this.api.freshToken();
    this.store();
    return token;
  };

  private keep(): void {
    this.store();
    clearTimeout(this.renewal);
    const times = this.api.token ? tokenTimes(this.api.token) : undefined;
    if (!times) return;
    const life = (times.expiresAt - times.issuedAt) * 1000;
    const wait = Math.max(0, times.expiresAt * 1000 - Math.min(120_000, life / 2) - Date.now() + 1000);
    this.renewal = setTimeout(async () => {
      try {
        await this.token();
        this.keep();
      } catch {
        this.signOut();
        this.expired();
      }
    }, wait);
  }

  private store(): void {
    if (this.api.token) sessionStorage.setItem(STORAGE_KEY, this.api.token);
  }
}
