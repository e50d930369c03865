/** What the dashboard and /api read from the runtime detector, as one plain (cloneable) object. */
import type { ContainerTimeline, RegistryProblem } from '../../runtime/index.js';
import type { RuntimeDetector } from './runtime.js';

export interface StatusQuery {
  /** Timelines returned (unstable containers first, then the most recently active). */
  limit?: number;
  /** Points per timeline (the newest). */
  points?: number;
  container?: string;
}

export interface RuntimeStatus {
  timelines: ContainerTimeline[];
  models: ReturnType<RuntimeDetector['modelList']>;
  learning: Array<{ group: string; remaining: number }>;
  problems: RegistryProblem[];
  containers: number;
}

export function runtimeStatus(d: RuntimeDetector, q: StatusQuery = {}): RuntimeStatus {
  const limit = q.limit ?? 20;
  const points = q.points ?? 120;
  const all = d.timelines().filter((t) => !q.container || t.containerId === q.container);
  const last = (t: ContainerTimeline): number => t.points[t.points.length - 1]?.end ?? 0;
  const unstable = (t: ContainerTimeline): number => Number(t.points.slice(-points).some((p) => p.unstable));
  const timelines = all
    .sort((a, b) => unstable(b) - unstable(a) || last(b) - last(a))
    .slice(0, limit)
    .map((t) => ({ ...t, points: t.points.slice(-points) }));
  return { timelines, models: d.modelList(), learning: d.learning(), problems: d.pipeline.monitor.registry.problems(), containers: d.evidence.size };
}
