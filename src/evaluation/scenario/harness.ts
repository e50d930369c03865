/**
 * The scenario evaluation: simulate a benign period of the cluster (its own seed and time) to train and then
 * calibrate the four detectors, simulate the test period with the scenarios one after another (gaps of normal
 * time between them), and score: per scenario whether an alert named one of its entities within its window (plus
 * two intervals), how fast, and from which modalities; overall the detection rate over attack scenarios, false
 * alerts per day (alerts matching no scenario), and the chaos faults that raised no alert. Labels are read only
 * here, after the run, to score it.
 */
import { PeregrineError } from '../../core/errors.js';
import { ClusterSimulation, type ClusterSimOptions } from '../../simulate/cluster/stream.js';
import { scenarioNames, scenarioSeconds, type ScenarioLabel } from '../../simulate/cluster/scenarios.js';
import { AuditDetector, FlowDetector, MetricDetector, SyscallDetector, MODALITY_NAMES, type DetectorSettings, type ModalityName, type Phase, type Signal } from './detectors.js';

export interface ScenarioEvalOptions {
  seed: number;
  /** Scenario names (see scenarioNames()), or ['all']. */
  scenarios: string[];
  nodes?: number;
  podsPerNode?: number;
  intervalSeconds?: number;
  rateScale?: number;
  trainSeconds?: number;
  calibrateSeconds?: number;
  /** Normal time before, between and after the scenarios (default 240 s). */
  gapSeconds?: number;
  epochs?: number;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface ModalityOutcome {
  alerted: boolean;
  timeToDetectSeconds: number | null;
}

export interface ScenarioOutcome {
  name: string;
  kind: 'attack' | 'chaos';
  start: string;
  end: string;
  durationSeconds: number;
  pods: string[];
  detected: boolean;
  timeToDetectSeconds: number | null;
  withinTwoIntervals: boolean;
  modalities: Record<ModalityName, ModalityOutcome>;
  firstReason: string;
}

export interface AlertRecord {
  timeUs: number;
  entity: string;
  modalities: ModalityName[];
  reason: string;
  /** Scenario the alert falls in (by time and entity), or null: a false alert. */
  scenario: string | null;
}

export interface ScenarioEvalReport {
  seed: number;
  nodes: number;
  pods: number;
  intervalSeconds: number;
  trainSeconds: number;
  calibrateSeconds: number;
  testSeconds: number;
  attackScenarios: number;
  detectedAttacks: number;
  detectionRate: number;
  detectedWithinTwoIntervals: number;
  chaosFaults: number;
  chaosNotAlerted: number;
  falseAlerts: number;
  /** False alerts per hour of test time (alerts matching no scenario). */
  falseAlertsPerHour: number;
  falseAlertsPerDay: number;
  falseAlertsPerDayPer100Pods: number;
  scenarios: ScenarioOutcome[];
  alerts: AlertRecord[];
  /** Per scenario and modality: [interval end (s from scenario start), highest score/threshold on its entities]. */
  timelines: Record<string, Record<ModalityName, [number, number][]>>;
  runtimeSeconds: number;
}

/** Quiet time after which the same entity alerting again is a new alert. */
const COOLDOWN_US = 300e6;

export function resolveScenarioList(names: string[]): string[] {
  if (names.length === 0) throw new PeregrineError('PGN_ERR_USAGE', 'no scenario given', { where: '--scenario', hint: `use all or one of: ${scenarioNames().join(', ')}` });
  if (names.includes('all')) return scenarioNames();
  return names.flatMap((n) => n.split(',')).map((n) => n.trim()).filter(Boolean).map((n) => {
    scenarioSeconds(n); // throws the one-line error naming the valid values
    return n;
  });
}

async function run(sim: ClusterSimulation, phaseAt: (tUs: number) => Phase, d: Detectors, signals: Signal[], names: Map<string, string>, progress?: (done: number, total: number) => void): Promise<void> {
  const total = Math.round((sim.endUs - sim.startUs) / 1e6);
  let done = 0;
  let phase: Phase = phaseAt(sim.startUs);
  for (const slice of sim.slices()) {
    const p = phaseAt(slice.startUs);
    if (p !== phase) {
      d.flows.close(phase, signals);
      phase = p;
    }
    const events = sim.sim.toEvents(slice.syscalls);
    for (const e of slice.attackEvents) events.push(e);
    events.sort((a, b) => a.timeUs - b.timeUs);
    d.syscalls.push(events, phase, signals);
    d.flows.push(slice.flows, phase, signals);
    d.audit.push(slice.audit, phase, signals);
    if (slice.metrics) d.metrics.push(slice.metrics, Math.round(slice.endUs / 1000), phase, signals);
    for (const pod of sim.topo.pods) names.set(pod.name, pod.ip);
    if (++done % 60 === 0) {
      progress?.(done, total);
      await new Promise((r) => setImmediate(r));
    }
  }
  d.syscalls.flush(phase, signals);
  d.flows.close(phase, signals);
}

export interface Detectors {
  syscalls: SyscallDetector;
  flows: FlowDetector;
  audit: AuditDetector;
  metrics: MetricDetector;
}

/** Trains and calibrates the four detectors on simulated benign time of the cluster shape of `o`. */
export async function trainDetectors(o: ScenarioEvalOptions): Promise<{ d: Detectors; names: Map<string, string>; base: Omit<ClusterSimOptions, 'seed' | 'durationSeconds'> }> {
  const interval = o.intervalSeconds ?? 30;
  const trainS = o.trainSeconds ?? 1500;
  const calS = o.calibrateSeconds ?? 1200;
  const base: Omit<ClusterSimOptions, 'seed' | 'durationSeconds'> = { nodes: o.nodes ?? 3, podsPerNode: o.podsPerNode, rateScale: o.rateScale ?? 0.3 };
  // Benign training and calibration: other seeds, the day before. Training runs at the hour the test starts;
  // calibration in the quiet late evening, so the thresholds cover the daily swing of the load.
  const trainSim = new ClusterSimulation({ ...base, seed: (o.seed ^ 0x5eed) >>> 0, startTime: new Date(Date.UTC(2024, 2, 18, 13, 0, 0)), durationSeconds: trainS, restartsPerPodHour: 0.5, rolloutsPerDeploymentHour: 1.5 });
  const calSim = new ClusterSimulation({ ...base, seed: (o.seed ^ 0xca1b) >>> 0, startTime: new Date(Date.UTC(2024, 2, 18, 22, 0, 0)), durationSeconds: calS, restartsPerPodHour: 0.5, rolloutsPerDeploymentHour: 1.5 });
  const settings: DetectorSettings = { intervalSeconds: interval, seed: o.seed, epochs: o.epochs };
  const d: Detectors = { syscalls: new SyscallDetector(settings), flows: new FlowDetector(trainSim.topo, settings), audit: new AuditDetector(trainSim.topo), metrics: new MetricDetector(trainSim.topo, settings) };
  const names = new Map<string, string>();
  const discard: Signal[] = [];
  await run(trainSim, () => 'train', d, discard, names, (a, b) => o.onProgress?.('train', a, b));
  await run(calSim, () => 'calibrate', d, discard, names, (a, b) => o.onProgress?.('calibrate', a, b));
  return { d, names, base };
}

export async function runScenarioEvaluation(o: ScenarioEvalOptions): Promise<ScenarioEvalReport> {
  const t0 = performance.now();
  const list = resolveScenarioList(o.scenarios);
  const interval = o.intervalSeconds ?? 30;
  const trainS = o.trainSeconds ?? 1500;
  const calS = o.calibrateSeconds ?? 1200;
  const gap = o.gapSeconds ?? 240;
  const { d, names, base } = await trainDetectors(o);
  // Test: the scenarios one after another.
  const runs: { name: string; startSeconds: number }[] = [];
  let at = gap;
  for (const n of list) {
    runs.push({ name: n, startSeconds: at });
    at += scenarioSeconds(n) + gap;
  }
  const testStart = new Date(Date.UTC(2024, 2, 19, 13, 0, 0));
  const testSim = new ClusterSimulation({ ...base, seed: o.seed, startTime: testStart, durationSeconds: at, scenarios: runs });
  const signals: Signal[] = [];
  await run(testSim, () => 'test', d, signals, names, (a, b) => o.onProgress?.('test', a, b));
  return score({ labels: testSim.labels, nodes: testSim.topo.nodes.length, pods: testSim.topo.pods.length }, signals, names, { seed: o.seed, interval, trainS, calS, testS: at, runtime: (performance.now() - t0) / 1000 });
}

/** Scores judged signals against the scenario labels (the only place labels are read). */
export function score(sim: { labels: ScenarioLabel[]; nodes: number; pods: number }, signals: Signal[], names: Map<string, string>, m: { seed: number; interval: number; trainS: number; calS: number; testS: number; runtime: number }): ScenarioEvalReport {
  const iv = m.interval * 1e6;
  const ipOf = (entity: string): string => names.get(entity) ?? entity;
  const mine = (l: ScenarioLabel, entity: string): boolean => l.ips.includes(ipOf(entity)) || l.pods.includes(entity);
  const inScenario = (l: ScenarioLabel, s: Signal): boolean => s.timeUs >= l.startUs && s.timeUs <= l.endUs + 2 * iv && mine(l, s.entity);
  const fired = signals.filter((s) => s.ratio > 1).sort((a, b) => a.timeUs - b.timeUs);
  // alerts: an entity firing (any modality) after COOLDOWN of quiet is one alert; later fires join it
  const alerts: AlertRecord[] = [];
  const open = new Map<string, { last: number; alert: AlertRecord }>();
  for (const s of fired) {
    const ip = ipOf(s.entity);
    const cur = open.get(ip);
    if (cur && s.timeUs - cur.last <= COOLDOWN_US) {
      cur.last = s.timeUs;
      if (!cur.alert.modalities.includes(s.modality)) cur.alert.modalities.push(s.modality);
      continue;
    }
    const l = sim.labels.find((x) => inScenario(x, s));
    const alert: AlertRecord = { timeUs: s.timeUs, entity: s.entity, modalities: [s.modality], reason: s.reason, scenario: l ? l.name : null };
    alerts.push(alert);
    open.set(ip, { last: s.timeUs, alert });
  }
  const scenarios: ScenarioOutcome[] = sim.labels.map((l) => {
    const mine = fired.filter((s) => inScenario(l, s));
    const first = mine[0];
    const ttd = (s: Signal | undefined): number | null => (s ? Math.max(0, (s.timeUs - l.startUs) / 1e6) : null);
    const modalities = Object.fromEntries(MODALITY_NAMES.map((mod) => {
      const f = mine.find((s) => s.modality === mod);
      return [mod, { alerted: f !== undefined, timeToDetectSeconds: ttd(f) }];
    })) as Record<ModalityName, ModalityOutcome>;
    const t = ttd(first);
    return {
      name: l.name, kind: l.kind, start: new Date(l.startUs / 1000).toISOString(), end: new Date(l.endUs / 1000).toISOString(), durationSeconds: (l.endUs - l.startUs) / 1e6,
      pods: l.pods, detected: first !== undefined, timeToDetectSeconds: t, withinTwoIntervals: t !== null && t <= 2 * m.interval, modalities, firstReason: first?.reason ?? '',
    };
  });
  const timelines: ScenarioEvalReport['timelines'] = {};
  for (const l of sim.labels) {
    const from = l.startUs - 4 * iv;
    const to = l.endUs + 4 * iv;
    const per = Object.fromEntries(MODALITY_NAMES.map((mod) => [mod, new Map<number, number>()])) as Record<ModalityName, Map<number, number>>;
    for (const s of signals) {
      if (s.timeUs < from || s.timeUs > to || !mine(l, s.entity)) continue;
      const k = Math.round((s.timeUs - l.startUs) / 1e6);
      per[s.modality].set(k, Math.max(per[s.modality].get(k) ?? 0, s.ratio));
    }
    timelines[l.name] = Object.fromEntries(MODALITY_NAMES.map((mod) => [mod, [...per[mod].entries()].sort((a, b) => a[0] - b[0])])) as Record<ModalityName, [number, number][]>;
  }
  const attacks = scenarios.filter((s) => s.kind === 'attack');
  const chaos = scenarios.filter((s) => s.kind === 'chaos');
  const falseAlerts = alerts.filter((a) => a.scenario === null).length;
  const days = m.testS / 86400;
  const perDay = falseAlerts / days;
  return {
    seed: m.seed, nodes: sim.nodes, pods: sim.pods, intervalSeconds: m.interval, trainSeconds: m.trainS, calibrateSeconds: m.calS, testSeconds: m.testS,
    attackScenarios: attacks.length, detectedAttacks: attacks.filter((s) => s.detected).length,
    detectionRate: attacks.length ? attacks.filter((s) => s.detected).length / attacks.length : 0,
    detectedWithinTwoIntervals: attacks.filter((s) => s.withinTwoIntervals).length,
    chaosFaults: chaos.length, chaosNotAlerted: chaos.filter((s) => !s.detected).length,
    falseAlerts, falseAlertsPerHour: perDay / 24, falseAlertsPerDay: perDay, falseAlertsPerDayPer100Pods: (perDay * 100) / sim.pods,
    scenarios, alerts, timelines, runtimeSeconds: m.runtime,
  };
}
