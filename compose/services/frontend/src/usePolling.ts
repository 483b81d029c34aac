import { useEffect } from "react";

/**
 * Live updates by polling: calls `tick` now, then `intervalMs` after each call has settled, so
 * calls never overlap. When `tick` changes (memoise it with useCallback; its dependencies are what
 * it polls) or the component unmounts, the call in flight is aborted through its signal and no
 * further call of the old `tick` is made, so a stale answer cannot land.
 */
export function usePolling(tick: (signal: AbortSignal) => Promise<void>, intervalMs: number): void {
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        await tick(controller.signal);
      } catch (error) {
        // tick reports its own failures; this is a bug in it, so make it visible.
        if (!controller.signal.aborted) console.error("polling: tick failed", error);
      }
      if (!controller.signal.aborted) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [tick, intervalMs]);
}
