import { GCProfiler, getHeapStatistics } from "node:v8";

/**
 * Bytes allocated on this process's V8 heap, counted from the garbage collector's own statistics
 * (`v8.GCProfiler`): what the heap grew by between collections, plus its growth since the last.
 * What a collection frees is never subtracted, so the figure is allocation, not residency.
 * Started on the first read; each read restarts the profiler (an allocation in that instant that
 * starts a collection may go uncounted: the figure is a slight underestimate).
 */
export class AllocationMeter {
  private profiler: GCProfiler | undefined;
  private total = 0;
  private lastUsed = 0;
  /** The collections seen since the first read: young (scavenges) and the others, with their time (us). */
  readonly collections = { young: 0, youngUs: 0, full: 0, fullUs: 0, maxUs: 0 };

  /** Bytes allocated since the first read. */
  read(): number {
    if (this.profiler) {
      for (const gc of this.profiler.stop()?.statistics ?? []) {
        this.total += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - this.lastUsed);
        this.lastUsed = gc.afterGC.heapStatistics.usedHeapSize;
        const young = gc.gcType === "Scavenge" || gc.gcType === "MinorMarkSweep";
        this.collections[young ? "young" : "full"]++;
        this.collections[young ? "youngUs" : "fullUs"] += gc.cost;
        this.collections.maxUs = Math.max(this.collections.maxUs, gc.cost);
      }
    }
    const used = getHeapStatistics().used_heap_size;
    if (this.profiler) this.total += Math.max(0, used - this.lastUsed);
    this.lastUsed = used;
    this.profiler = new GCProfiler();
    this.profiler.start();
    return this.total;
  }
}
