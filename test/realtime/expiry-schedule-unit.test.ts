import { describe, expect, it } from "vitest";
import { type ExpiringSocket, ExpirySchedule } from "../../src/realtime/expiry-schedule.js";

/** A socket as the schedule sees it: a token expiry, a disconnect it records, and its disconnect listeners. */
class FakeSocket implements ExpiringSocket {
  disconnected = false;
  disconnectCalls = 0;
  private readonly listeners: Array<(this: ExpiringSocket) => void> = [];

  constructor(public readonly data: { tokenExpiresAt: number }) {}

  disconnect(): void {
    this.disconnectCalls += 1;
    if (this.disconnected) return;
    this.disconnected = true;
    for (const listener of this.listeners) listener.call(this);
  }

  on(_event: "disconnect", listener: (this: ExpiringSocket) => void): void {
    this.listeners.push(listener);
  }
}

function scheduleAt(start: number) {
  const clock = { ms: start };
  const schedule = new ExpirySchedule(() => clock.ms);
  return { clock, schedule };
}

describe("ExpirySchedule", () => {
  it("disconnects at once a socket whose token has already expired", () => {
    const { schedule } = scheduleAt(100_000);
    const socket = new FakeSocket({ tokenExpiresAt: 99 });
    schedule.watch(socket);
    expect(socket.disconnected).toBe(true);
  });

  it("disconnects each socket in the sweep after its token's second, not before", () => {
    const { clock, schedule } = scheduleAt(100_000);
    const early = new FakeSocket({ tokenExpiresAt: 102 });
    const late = new FakeSocket({ tokenExpiresAt: 105 });
    schedule.watch(early);
    schedule.watch(late);
    clock.ms = 101_999;
    schedule.sweep();
    expect([early.disconnected, late.disconnected]).toEqual([false, false]);
    clock.ms = 102_000;
    schedule.sweep();
    expect([early.disconnected, late.disconnected]).toEqual([true, false]);
    // A sweep that comes late still looks at every second it missed.
    clock.ms = 109_500;
    schedule.sweep();
    expect(late.disconnected).toBe(true);
    schedule.stop();
  });

  it("keeps a socket whose token was renewed until its new expiry", () => {
    const { clock, schedule } = scheduleAt(100_000);
    const socket = new FakeSocket({ tokenExpiresAt: 101 });
    schedule.watch(socket);
    socket.data.tokenExpiresAt = 200;
    clock.ms = 150_000;
    schedule.sweep();
    expect(socket.disconnected).toBe(false);
    clock.ms = 200_000;
    schedule.sweep();
    expect(socket.disconnected).toBe(true);
  });

  it("forgets a socket that disconnected on its own: no sweep ends it again", () => {
    const { clock, schedule } = scheduleAt(100_000);
    const socket = new FakeSocket({ tokenExpiresAt: 101 });
    schedule.watch(socket);
    socket.disconnect();
    clock.ms = 102_000;
    schedule.sweep();
    expect(socket.disconnectCalls).toBe(1);
  });

  it("after an idle spell, sweeps from the present, not from the last second it swept", () => {
    const { clock, schedule } = scheduleAt(100_000);
    const first = new FakeSocket({ tokenExpiresAt: 101 });
    schedule.watch(first);
    clock.ms = 101_000;
    schedule.sweep();
    expect(first.disconnected).toBe(true);
    // A day without sockets, then one whose token expires within the current second.
    clock.ms = 86_500_500;
    const later = new FakeSocket({ tokenExpiresAt: 86_501 });
    schedule.watch(later);
    clock.ms = 86_501_000;
    schedule.sweep();
    expect(later.disconnected).toBe(true);
    schedule.stop();
  });
});
