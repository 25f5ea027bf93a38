import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userColor } from "../../src/web/colors.js";
import { browserAvailable, launchChromium, screenshot, trackedPage } from "../helpers/browser.js";
import { fetchDocument } from "../helpers/collab.js";
import { startTestMongo, type TestMongo } from "../helpers/mongo.js";
import { startService, type TestService } from "../helpers/service.js";

const SECRET = "w".repeat(48);
const password = "correct horse battery";
let mongo: TestMongo;
let running: TestService;
let browser: Browser;

/** The service on a database that outlives it, so it can be restarted on the same port with the same secret. */
async function start(port = "0"): Promise<TestService> {
  return startService({ JWT_SECRET: SECRET, PORT: port }, mongo);
}

beforeAll(async () => {
  if (!browserAvailable) return;
  mongo = await startTestMongo();
  running = await start();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await running?.close();
  await mongo?.stop();
});

/** The editor's text as the reader sees it, without the remote carets' widgets (names, U+2060 word joiners). */
const editorText = (page: Page) =>
  page.locator(".cm-content").evaluate((content) =>
    Array.from(content.querySelectorAll(".cm-line"))
      .map((line) => {
        const copy = line.cloneNode(true) as HTMLElement;
        copy.querySelectorAll(".cm-ySelectionCaret").forEach((widget) => {
          widget.remove();
        });
        return copy.textContent ?? "";
      })
      .join("\n"),
  );

async function register(page: Page, name: string, email: string): Promise<void> {
  await page.goto(running.url);
  const form = page.locator("form", { hasText: "Create an account" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Projects" }).waitFor();
}

describe.skipIf(!browserAvailable)("the web app in Chromium", () => {
  it("two people edit one project: presence, carets in colour, a live demotion, removal, a server restart", async () => {
    const stamp = `${process.pid}-${Date.now()}`;
    const ada = await trackedPage(await browser.newContext({ viewport: { width: 1280, height: 800 } }));
    const bob = await trackedPage(await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true }));
    await register(ada.page, "Ada Lovelace", `ada-${stamp}@example.test`);
    await register(bob.page, "Bob Babbage", `bob-${stamp}@example.test`);
    await screenshot(bob.page, "01-signed-in-narrow");

    // Ada creates a project and invites Bob; Bob is told, and his list shows it.
    await ada.page.getByLabel("Name").fill("Shared notes");
    await ada.page.getByRole("button", { name: "Create project" }).click();
    await ada.page.locator("#project-title", { hasText: "Shared notes" }).waitFor();
    const invite = ada.page.getByRole("form", { name: "Invite a member" });
    await invite.getByLabel("Email").fill(`bob-${stamp}@example.test`);
    await invite.getByLabel("Role").selectOption("editor");
    await invite.getByRole("button", { name: "Invite" }).click();
    await bob.page.getByText("You were added to “Shared notes” as editor.").waitFor();
    await bob.page.getByRole("link", { name: "Shared notes" }).click();
    await bob.page.locator("#connection-status", { hasText: "connected" }).waitFor();
    await ada.page.locator("#connection-status", { hasText: "connected" }).waitFor();

    const ids = await ada.page.evaluate(async () => {
      const token = sessionStorage.getItem("collab-backend.session");
      const me = await fetch("/api/me", { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
      return { ada: me.user.id as string, token: token as string };
    });
    const bobId = await bob.page.evaluate(async () => {
      const token = sessionStorage.getItem("collab-backend.session");
      const me = await fetch("/api/me", { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
      return me.user.id as string;
    });
    const projectId = new URL(ada.page.url()).hash.split("/")[2] as string;

    // Both type at once, and both end with the same text holding both.
    await ada.page.locator(".cm-content").click();
    await bob.page.locator(".cm-content").click();
    await Promise.all([
      ada.page.keyboard.type("Ada writes here. ", { delay: 15 }),
      bob.page.keyboard.type("Bob too. ", { delay: 15 }),
    ]);
    await expect
      .poll(async () => [await editorText(ada.page), await editorText(bob.page)].join(" | "), { timeout: 10_000 })
      .toMatch(/^(.*) \| \1$/s);
    const together = await editorText(ada.page);
    expect(together).toContain("Ada writes here.");
    expect(together).toContain("Bob too.");

    // Each sees the other online, and the other's caret in the other's colour, with their name.
    await ada.page.locator(`#online li[data-user-id="${bobId}"]`).waitFor();
    await bob.page.locator(`#online li[data-user-id="${ids.ada}"]`).waitFor();
    const caretOf = (page: Page, name: string) =>
      page.locator(".cm-ySelectionCaret", { has: page.locator(".cm-ySelectionInfo", { hasText: name }) });
    await caretOf(ada.page, "Bob Babbage").waitFor();
    await caretOf(bob.page, "Ada Lovelace").waitFor();
    const rgb = (hex: string) => `rgb(${[1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)).join(", ")})`;
    const colourOf = (page: Page, name: string) =>
      caretOf(page, name).evaluate((caret) => getComputedStyle(caret).borderLeftColor);
    expect(await colourOf(ada.page, "Bob Babbage")).toBe(rgb(userColor(bobId).color));
    expect(await colourOf(bob.page, "Ada Lovelace")).toBe(rgb(userColor(ids.ada).color));
    await screenshot(ada.page, "02-editing-desktop");
    await screenshot(bob.page, "03-editing-narrow");

    // They chat: text arrives as text (no markup), and Ada sees Bob typing.
    await ada.page.getByLabel("Message", { exact: true }).fill("<b>not bold</b> hi Bob");
    await ada.page.getByRole("button", { name: "Send", exact: true }).click();
    const received = bob.page.locator(".chat li .text", { hasText: "<b>not bold</b> hi Bob" });
    await received.waitFor();
    expect(await bob.page.locator(".chat li b").count()).toBe(0);
    await bob.page.getByLabel("Message", { exact: true }).pressSequentially("hello", { delay: 20 });
    await ada.page.getByText("Bob Babbage is typing…").waitFor();
    await bob.page.getByRole("button", { name: "Send", exact: true }).click();
    await ada.page.locator(".chat li .text", { hasText: "hello" }).waitFor();

    // Bob leaves the project's page: he leaves its room, and Ada sees him go; he comes back.
    await bob.page.getByRole("link", { name: "← Projects" }).click();
    await ada.page.locator(`#online li[data-user-id="${bobId}"]`).waitFor({ state: "detached" });
    await bob.page.getByRole("link", { name: "Shared notes" }).click();
    await ada.page.locator(`#online li[data-user-id="${bobId}"]`).waitFor();
    await bob.page.locator("#connection-status", { hasText: "connected" }).waitFor();

    // Ada demotes Bob: his editor stops being editable at once, with a badge.
    await ada.page.getByLabel("Role of Bob Babbage").selectOption("viewer");
    await bob.page.locator("#read-only-badge").waitFor({ state: "visible" });
    await expect.poll(() => bob.page.locator(".cm-content").getAttribute("contenteditable")).toBe("false");
    await screenshot(bob.page, "04-demoted");

    // Ada removes Bob: his page says so and the editor is gone.
    await ada.page.getByRole("button", { name: "Remove Bob Babbage" }).click();
    await bob.page.getByText("You no longer have access to this project.").waitFor();
    expect(await bob.page.locator(".cm-editor").count()).toBe(0);
    await screenshot(bob.page, "05-revoked");
    await ada.page.locator(`#online li[data-user-id="${bobId}"]`).waitFor({ state: "detached" });
    expect(ada.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
    // Coming back by its address (a reload), he is told the project is not his to see (404s in his console now).
    await bob.page.reload();
    await bob.page.getByText("This project does not exist, or you are not a member.").waitFor();

    // The service restarts (same database, same secret): Ada sees "offline" with unsaved changes, then "saved".
    const port = new URL(running.url).port;
    await running.close();
    await ada.page.locator("#connection-status", { hasText: "offline" }).waitFor();
    await ada.page.locator(".cm-content").click();
    await ada.page.keyboard.press("End");
    await ada.page.keyboard.type("Typed while offline.");
    await ada.page.locator("#save-status", { hasText: /unsaved change/ }).waitFor();
    await screenshot(ada.page, "06-offline");
    running = await start(port);
    await ada.page.locator("#connection-status", { hasText: "connected" }).waitFor({ timeout: 15_000 });
    await ada.page.locator("#save-status", { hasText: "saved" }).waitFor();
    await screenshot(ada.page, "07-saved-after-restart");
    const stored = await fetchDocument(running.url, ids.token, projectId);
    expect(stored.getText("body").toString()).toContain("Typed while offline.");
    expect(stored.getText("body").toString()).toContain("Bob too.");
    // What the console said meanwhile: only the browser's own reports of a server that was away.
    expect(ada.errors.filter((error) => !/ERR_CONNECTION_REFUSED|WebSocket connection/.test(error))).toEqual([]);
  }, 120_000);
});
