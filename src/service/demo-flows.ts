/**
 * The flow half of the demo feed: a seeded CICFlowMeter capture of a small cluster (src/simulate/flows), a detector
 * trained on its benign part at start (autoencoder, a few seconds, so findings carry per-feature error shares),
 * loaded as the hub's flow model, then the mixed part (a port scan and a SYN flood among benign traffic) played in
 * real time with its timestamps moved to now, through the same `flows` source as POST /ingest/flows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDemoDataset } from '../simulate/flows/dataset.js';
import { saveModel } from '../training/model-file.js';
import { runTraining } from '../training/train.js';
import { splitCsvLine, flowTimeMs } from './ingest/flows.js';
import type { Hub } from './hub.js';

export interface DemoFlowsOptions {
  seed?: number;
  speed?: number;
  /** When the attacks start, seconds after the replay starts. */
  scanStartSeconds?: number;
}

export class DemoFlows {
  private stopped = false;
  private done: Promise<void> = Promise.resolve();
  flows = 0;

  constructor(
    private readonly hub: Hub,
    private readonly o: DemoFlowsOptions = {},
  ) {}

  start(): void {
    this.done = this.run().catch((e: unknown) => this.hub.logger.error({ err: (e as Error).message }, 'demo flow feed stopped'));
  }

  private async run(): Promise<void> {
    const seed = this.o.seed ?? 7;
    const dir = join(this.hub.config.dataDir, 'demo-flows');
    const scan = this.o.scanStartSeconds ?? 40;
    const data = await writeDemoDataset(dir, {
      seed,
      trainSeconds: 300,
      testSeconds: 1800,
      attacks: [
        { scenario: 'portscan', startSeconds: scan, durationSeconds: 40 },
        { scenario: 'synflood', startSeconds: scan + 90, durationSeconds: 20 },
      ],
    });
    if (this.stopped) return;
    const trained = await runTraining({
      format: 'cicflowmeter',
      files: [data.trainPath],
      detector: 'autoencoder',
      detectorParams: { epochs: 10 },
      normalOnly: true,
      seed,
      pipeline: { log1p: true, scaler: 'standard' },
      threshold: { method: 'contamination', params: { contamination: 0.005 } },
      calibrationFraction: 0.2,
      onBadRow: 'fail',
      reader: { includePorts: false },
    });
    const modelFile = join(dir, 'flows.model.json');
    saveModel(modelFile, trained.model);
    this.hub.flows.reload(modelFile);
    await this.replay(readFileSync(data.testPath, 'utf8'));
  }

  /** Plays the capture second by second, each flow's Timestamp moved so the capture starts now. */
  private async replay(csv: string): Promise<void> {
    const rows = csv.split('\n').filter((l) => l.trim() !== '');
    const header = rows[0];
    const ts = splitCsvLine(header).findIndex((c) => c.trim() === 'Timestamp');
    if (ts < 0) throw new Error('demo capture has no Timestamp column');
    const speed = Math.max(0.1, this.o.speed ?? 1);
    const t0 = flowTimeMs(splitCsvLine(rows[1])[ts], 0);
    const wall0 = Date.now();
    let i = 1;
    while (i < rows.length && !this.stopped) {
      const secondEnd = t0 + (Math.floor((Date.now() - wall0) * speed / 1000) + 1) * 1000;
      const chunk: string[] = [];
      for (; i < rows.length; i++) {
        const cells = splitCsvLine(rows[i]);
        const t = flowTimeMs(cells[ts], t0);
        if (t >= secondEnd) break;
        cells[ts] = new Date(wall0 + (t - t0)).toISOString(); // event time runs at the feed speed, as in the syscall feed
        chunk.push(cells.join(','));
      }
      if (chunk.length > 0) {
        const r = this.hub.ingest('flows', [header, ...chunk].join('\n'), 'text/csv');
        if (r.status === 202) this.flows += chunk.length;
      }
      await new Promise((res) => setTimeout(res, 1000 / speed).unref());
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}
