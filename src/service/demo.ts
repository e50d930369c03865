/**
 * The built-in telemetry feed of `peregrine serve --demo`: generated container syscall activity (src/simulate/events,
 * seeded) played in real time into the syscall stream, so a new user sees the runtime path learn normal nginx
 * behaviour, then catch the staged cryptominer and an HTTP flood, within about a minute. Short intervals and a
 * small training set (demoDetection) make that fast; the events are the same generators the tests use.
 * TODO(sim): switch to the cluster simulator's async stream (src/simulate/cluster) when it lands.
 */
import { encodeFalcoEvent } from '../ingest/events/falco/encode.js';
import { generateEvents } from '../simulate/events/index.js';
import type { PeregrineConfig } from '../core/config.js';
import type { Hub } from './hub.js';

export const DEMO_SOURCE = 'demo';

/**
 * Detection settings of demo mode: 5-s intervals, 12 training vectors (3 intervals of 4 replicas), k = 5 (a threshold
 * fitted on 12 vectors is noisy; k = 5 keeps the normal replicas quiet, see docs/runtime.md), 2-of-3 hysteresis.
 */
export function demoDetection(cfg: PeregrineConfig): void {
  const d = cfg.detection;
  d.intervalSeconds = 5;
  d.latenessSeconds = 1;
  d.vectorsToTrain = 12;
  d.epochs = 60;
  d.k = 5;
  d.hysteresis = { openAfterIntervals: 2, windowIntervals: 3, closeAfterIntervals: 3 };
}

export interface DemoFeedOptions {
  seed?: number;
  containers?: number;
  /** Syscalls per second per container. */
  rate?: number;
  /** When the staged miner starts (seconds after start). */
  minerStartSeconds?: number;
  stageSeconds?: number;
  floodStartSeconds?: number;
  durationSeconds?: number;
  /** Event time runs this many times faster than the wall clock (tests, screenshots); default 1. */
  speed?: number;
}

export class DemoFeed {
  private stopped = false;
  private done: Promise<void> = Promise.resolve();
  events = 0;
  refused = 0;

  constructor(
    private readonly hub: Hub,
    private readonly o: DemoFeedOptions = {},
  ) {}

  start(): void {
    this.hub.addQueue(DEMO_SOURCE, 'syscalls');
    this.done = this.run();
  }

  private async run(): Promise<void> {
    const startMs = Math.floor(Date.now() / 1000) * 1000;
    const speed = Math.max(0.1, this.o.speed ?? 1);
    const duration = this.o.durationSeconds ?? 24 * 3600;
    const gen = generateEvents({
      seed: this.o.seed ?? 7,
      containers: this.o.containers ?? 4,
      rate: this.o.rate ?? 300,
      startUs: startMs * 1000,
      durationSeconds: duration,
      sliceSeconds: 1,
      attacks: [
        { type: 'cryptominer', containers: [0], startSeconds: this.o.minerStartSeconds ?? 25, stageSeconds: this.o.stageSeconds ?? 8 },
        { type: 'httpflood', containers: [2], startSeconds: this.o.floodStartSeconds ?? 90, onSeconds: 30, offSeconds: 150 },
      ],
    });
    let slice = 0;
    for (const events of gen) {
      if (this.stopped) return;
      slice++;
      const due = startMs + (slice * 1000) / speed;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      if (this.stopped) return;
      const records = events.map((e) => ({ event: e, line: encodeFalcoEvent(e) }));
      const bytes = records.reduce((s, r) => s + r.line.length * 2 + 600, 0);
      // The feed backs off while its queue is half full (it catches up after a pause, e.g. the flow model's
      // training at start): demo events are never dropped and the demo does not report itself degraded.
      const queue = this.hub.addQueue(DEMO_SOURCE, 'syscalls');
      while (!this.stopped && (queue.stats().fill > 0.5 || !queue.fits(records.length, bytes))) {
        this.refused++;
        await sleep(200);
      }
      if (this.stopped || this.hub.offer(DEMO_SOURCE, records, bytes) !== null) return;
      this.events += records.length;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());
