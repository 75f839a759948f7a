import { performance } from "node:perf_hooks";
import { build, encodeIntoCompressedBase64, type Histogram } from "hdr-histogram-js";
import { AllocationMeter } from "./allocation-meter.ts";

/** Microsecond histograms: 1 us to 60 s at three significant digits. */
export function microsecondHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 32 });
}

/** What `GET /metrics/latency` answers: exact counters and HDR histograms, cumulative since start. */
export interface StreamSnapshot {
  node: string;
  /** Redis publishes (and the messages they carried) this node sent to other nodes, set by the server. */
  relay?: { publishes: number; messages: number };
  /** Wall clock of the snapshot (epoch ms) and the process's CPU time (us) and RSS at that instant. */
  at: number;
  cpuUs: number;
  /** The part of cpuUs spent in the kernel (sending and receiving). */
  systemUs: number;
  rssBytes: number;
  /** Bytes allocated on the V8 heap since the first snapshot (`AllocationMeter`). */
  allocatedBytes: number;
  /** The garbage collections since the first snapshot: young and full ones, their time (us), the longest. */
  gc: { young: number; youngUs: number; full: number; fullUs: number; maxUs: number };
  /** Bytes in use on the V8 heap; after a full collection in a process started with `--expose-gc` (the bench's idle runs). */
  heapUsedBytes: number;
  /**
   * Per tick rate asked for, the cycle boundary (ms, this process's monotonic clock) at which the
   * snapshot was taken: every pass due before it had run, none due after. Two readings count the
   * states of whole periods, so a rate over them cannot pass its maximum.
   */
  tickClock: Record<string, number>;
  counters: StreamCounters;
  /** hdr-histogram-js `encodeIntoCompressedBase64`, values in microseconds. */
  histograms: { rttUs: string; tickLatenessUs: string };
}

export interface StreamCounters {
  /** States handed to the transport, one per seat (local emit or relay to the player's node). */
  statesSent: number;
  /** Of those, states whose tick is a multiple of the match's `ackEvery`: each is owed a `state:ack`. */
  statesOwedAck: number;
  /** States handed to spectators (one per spectator; never acknowledged, not in `statesSent`). */
  spectatorStates: number;
  /** Valid acknowledgements of owed states (a newer tick than the seat's last, already sent). */
  stateAcks: number;
  /** Valid acknowledgements of states that were not owed one (a client acking more often than asked). */
  stateAcksExtra: number;
  /** Acknowledgements dropped: malformed, stale, of a tick not sent yet, of another match or player, of a room long gone, over the player's rate limit. */
  stateAcksDropped: number;
  /**
   * Of `stateAcks` and `stateAcksExtra`: acknowledgements that came after the room forgot when it
   * sent that tick (128 ticks later): taken, but in no round-trip figure.
   */
  stateAcksUntimed: number;
  /** Inputs that reached a room. */
  inputs: number;
  /** Rooms started on this node. */
  roomsStarted: number;
}

/**
 * The state stream's exact accounting on this node: every state sent, every ack received, the
 * round trip of each acknowledged state and how late each room's tick finished against its
 * deadline, in microseconds. An operator's bench reads it at chosen instants and subtracts.
 */
/** The heap in use, collected first where the process exposes the collector (only the bench starts processes so). */
function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

export class StreamStats {
  private readonly allocations = new AllocationMeter();
  readonly counters: StreamCounters = {
    statesSent: 0,
    statesOwedAck: 0,
    spectatorStates: 0,
    stateAcks: 0,
    stateAcksExtra: 0,
    stateAcksDropped: 0,
    stateAcksUntimed: 0,
    inputs: 0,
    roomsStarted: 0,
  };
  readonly rttUs = microsecondHistogram();
  readonly tickLatenessUs = microsecondHistogram();
  constructor(private readonly node: string) {}

  rtt(ms: number): void {
    this.rttUs.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  /** A room's tick finished `lateMs` after its deadline. */
  roomTicked(lateMs: number): void {
    this.tickLatenessUs.recordValue(Math.max(1, Math.round(lateMs * 1000)));
  }

  snapshot(tickClock: Record<string, number> = {}): StreamSnapshot {
    const cpu = process.cpuUsage();
    return {
      node: this.node,
      at: performance.timeOrigin + performance.now(),
      cpuUs: cpu.user + cpu.system,
      systemUs: cpu.system,
      rssBytes: process.memoryUsage.rss(),
      allocatedBytes: this.allocations.read(),
      gc: { ...this.allocations.collections },
      heapUsedBytes: heapUsed(),
      tickClock,
      counters: { ...this.counters },
      histograms: { rttUs: encodeIntoCompressedBase64(this.rttUs), tickLatenessUs: encodeIntoCompressedBase64(this.tickLatenessUs) },
    };
  }
}
