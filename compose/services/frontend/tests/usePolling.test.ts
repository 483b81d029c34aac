import { cleanup, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { usePolling } from "../src/usePolling";

/** A tick whose calls stay in flight until the test settles them. */
function controllableTick() {
  const calls: { signal: AbortSignal; settle: () => void }[] = [];
  const tick = (signal: AbortSignal) => new Promise<void>((settle) => calls.push({ signal, settle }));
  return { tick, calls };
}

// Fake timers: the test decides when time passes, so nothing here depends on the machine's speed.
describe("usePolling", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it("calls at once, and again only an interval after the previous call settled (no overlap)", async () => {
    const { tick, calls } = controllableTick();
    renderHook(() => usePolling(tick, 1000));
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(1); // still in flight: no second call on top of it
    calls[0]!.settle();
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
  });

  it("keeps polling after a failed call", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    let n = 0;
    renderHook(() => usePolling(async () => { n += 1; throw new Error("boom"); }, 100));
    await vi.advanceTimersByTimeAsync(250);
    expect(n).toBe(3);
    expect(error).toHaveBeenCalledWith("polling: tick failed", expect.any(Error));
    error.mockRestore();
  });

  it("aborts the call in flight and starts the new tick at once when the tick changes", async () => {
    const first = controllableTick();
    const second = controllableTick();
    const { rerender } = renderHook(({ tick }) => usePolling(tick, 1000), { initialProps: { tick: first.tick } });
    expect(first.calls).toHaveLength(1);
    rerender({ tick: second.tick });
    expect(first.calls[0]!.signal.aborted).toBe(true);
    expect(second.calls).toHaveLength(1);
    expect(second.calls[0]!.signal.aborted).toBe(false);
    first.calls[0]!.settle(); // a late answer to the old tick schedules nothing
    second.calls[0]!.settle();
    await vi.advanceTimersByTimeAsync(5_500);
    expect(first.calls).toHaveLength(1);
    expect(second.calls).toHaveLength(2);
  });

  it("stops and aborts on unmount", async () => {
    const { tick, calls } = controllableTick();
    const { unmount } = renderHook(() => usePolling(tick, 1000));
    calls[0]!.settle();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(2);
    unmount();
    expect(calls[1]!.signal.aborted).toBe(true);
    calls[1]!.settle();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(2);
  });
});
