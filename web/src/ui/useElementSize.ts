// Calls back with an element's size (CSS px): once before the first paint,
// then whenever it changes.

import type { RefObject } from "preact";
import { useLayoutEffect } from "preact/hooks";

export function useElementSize(ref: RefObject<HTMLElement | null>, onSize: (width: number, height: number) => void): void {
  useLayoutEffect(() => {
    const element = ref.current;
    if (element === null) return;
    const rect = element.getBoundingClientRect();
    onSize(rect.width, rect.height);
    const observer = new ResizeObserver((entries) => {
      for (const entry of entries) onSize(entry.contentRect.width, entry.contentRect.height);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, onSize]);
}
