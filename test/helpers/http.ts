export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** fetch with JSON in and out; `body` may be a raw string to send malformed input. */
// biome-ignore lint/suspicious/noExplicitAny: tests assert response bodies field by field
export async function request<T = any>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["content-type"] ??= "application/json";
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  }
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text so the assertion shows it
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

let counter = 0;

/** Registers a fresh account (with a made-up email unless given one) and returns its token and user. */
export async function registerUser(base: string, name = "User", chosenEmail?: string) {
  counter += 1;
  const email =
    chosenEmail ?? `${name.toLowerCase().replace(/\W/g, "")}-${process.pid}-${counter}-${Date.now()}@example.test`;
  const response = await request(base, "POST", "/api/auth/register", {
    body: { email, password: "correct horse battery", name },
  });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    token: response.body.token as string,
    user: response.body.user as { id: string; email: string; name: string },
    email,
  };
}
