// One ResizeObserver and one IntersectionObserver for many elements: each
// watched element reports its size (CSS px) and whether it is on screen.

export interface WatchHandlers {
  onSize?(width: number, height: number): void;
  /** On screen: intersects the viewport and is not clipped away by a scroller. */
  onVisible?(visible: boolean): void;
}

export class ElementWatch {
  private readonly handlers = new Map<Element, WatchHandlers>();
  private readonly resize: ResizeObserver;
  private readonly intersect: IntersectionObserver;

  constructor() {
    this.resize = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const rect = entry.contentRect;
        this.handlers.get(entry.target)?.onSize?.(rect.width, rect.height);
      }
    });
    this.intersect = new IntersectionObserver((entries) => {
      for (const entry of entries) this.handlers.get(entry.target)?.onVisible?.(entry.isIntersecting);
    });
  }

  /** Starts watching; returns the function that stops it. */
  watch(element: Element, handlers: WatchHandlers): () => void {
    this.handlers.set(element, handlers);
    if (handlers.onSize !== undefined) this.resize.observe(element);
    if (handlers.onVisible !== undefined) this.intersect.observe(element);
    return () => {
      if (this.handlers.get(element) !== handlers) return;
      this.handlers.delete(element);
      this.resize.unobserve(element);
      this.intersect.unobserve(element);
    };
  }

  dispose(): void {
    this.handlers.clear();
    this.resize.disconnect();
    this.intersect.disconnect();
  }
}
