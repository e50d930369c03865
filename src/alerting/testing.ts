import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from '../testing/loopback-server.js';
import type { Alert, Finding, Modality, Severity } from './types.js';
import { emptyEntity } from './types.js';

/** Test helpers: findings and a fixed alert, and a fake HTTP receiver that can fail on demand. */

export interface FindingSpec {
  id: string;
  namespace?: string;
  workload?: string;
  pod?: string;
  node?: string;
  container?: string;
  modality?: Modality;
  score?: number;
  threshold?: number;
  severity?: Severity;
  windowStart?: number;
  title?: string;
  features?: [string, number, number][];
  keyEvents?: string[];
  lineage?: string[];
  forensicsRef?: string;
  labels?: Record<string, string>;
}

export function makeFinding(s: FindingSpec): Finding {
  const windowStart = s.windowStart ?? 1_700_000_000_000;
  return {
    id: s.id,
    modality: s.modality ?? 'syscalls',
    detector: 'vae',
    modelVersion: 'vae@3',
    entity: {
      ...emptyEntity(),
      cluster: 'prod-eu',
      namespace: s.namespace ?? 'shop',
      workload: s.workload ?? 'frontend',
      workloadKind: s.workload === '' ? '' : 'Deployment',
      pod: s.pod ?? 'frontend-7d9f-abcde',
      container: s.container ?? 'web',
      containerId: `cid-${s.pod ?? 'frontend-7d9f-abcde'}`,
      node: s.node ?? 'node-1',
      image: 'registry.example/shop/frontend:1.4.2',
    },
    windowStart,
    windowEnd: windowStart + 30_000,
    score: s.score ?? 2.4,
    threshold: s.threshold ?? 1.5,
    severity: s.severity ?? 'warning',
    title: s.title ?? 'container activity departs from its baseline',
    evidence: {
      topFeatures: (s.features ?? [['execve', 41, 0.52], ['connect', 12, 0.21]]).map(([name, value, share]) => ({ name, value, share })),
      keyEvents: s.keyEvents ?? ['execve /tmp/xmrig by sh', 'connect 45.9.148.3:3333'],
      processLineage: s.lineage ?? ['containerd-shim', 'nginx', 'sh', 'xmrig'],
      forensicsRef: s.forensicsRef ?? 'sqlite:forensics.db?container=cid-frontend-7d9f-abcde',
    },
    labels: s.labels ?? { team: 'shop' },
  };
}

/** A fixed alert for golden payload tests (every field set, nothing time-dependent). */
export function fixedAlert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'inc-4f1c2a9e8b7d6c5a',
    fingerprint: '9a8b7c6d5e4f3a2b',
    status: 'firing',
    severity: 'warning',
    title: 'container activity departs from its baseline',
    summary: '14 anomalous intervals in 6 minutes on 3 pods of shop/frontend',
    entity: { ...emptyEntity(), cluster: 'prod-eu', namespace: 'shop', workload: 'frontend', workloadKind: 'Deployment', container: 'web', image: 'registry.example/shop/frontend:1.4.2' },
    startsAt: Date.UTC(2026, 10, 24, 1, 0, 0),
    updatedAt: Date.UTC(2026, 10, 24, 1, 6, 0),
    endsAt: null,
    findings: 14,
    pods: ['frontend-7d9f-abcde', 'frontend-7d9f-fghij', 'frontend-7d9f-klmno'],
    nodes: ['node-1', 'node-2'],
    modalities: ['syscalls'],
    maxScore: 3.912,
    modelVersions: ['vae@3'],
    evidence: {
      topFeatures: [
        { name: 'execve', value: 41, share: 0.52 },
        { name: 'connect', value: 12, share: 0.21 },
      ],
      keyEvents: ['execve /tmp/xmrig by sh', 'connect 45.9.148.3:3333 <pool>'],
      processLineage: ['containerd-shim', 'nginx', 'sh', 'xmrig'],
      forensicsRef: 'sqlite:forensics.db?container=cid-frontend-7d9f-abcde',
    },
    labels: { team: 'shop' },
    ...over,
  };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Cut the connection instead of answering (the request was received: a lost acknowledgement). */
  destroy?: boolean;
}

/**
 * A fake HTTP receiver on 127.0.0.1: records every request, answers with `respond` (default 200), and can go down
 * (connections refused) and come back on the same port.
 */
export class FakeReceiver extends LoopbackServer {
  readonly requests: ReceivedRequest[] = [];
  respond: (req: ReceivedRequest) => Reply = () => ({ status: 200, body: 'ok' });

  constructor() {
    super(500);
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      this.requests.push(r);
      const reply = this.respond(r);
      if (reply.destroy) {
        req.socket.destroy();
        return;
      }
      const body = reply.body ?? '';
      res.writeHead(reply.status, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), ...reply.headers });
      res.end(body);
    });
  }
}

/** Polls until `cond` holds or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
