import { useEffect, useRef } from "react";

/** Calls `tick` now and then every `intervalMs` while mounted (live updates by polling). */
export function usePolling(tick: () => void | Promise<void>, intervalMs: number, deps: unknown[] = []): void {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    let stopped = false;
    const run = async () => {
      if (!stopped) await saved.current();
    };
    void run();
    const timer = setInterval(run, intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [intervalMs, ...deps]);
}
