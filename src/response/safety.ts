/**
 * The safety rules, as pure functions over facts the engine read (or, for the namespace-name rules, over nothing
 * but the alert), so they are checked before any mutating request and covered by one table test. `deny` = a rule
 * forbids acting here, ever; `skip` = nothing to do now (not applicable, already done, limited); `act` = go.
 */
import { splitLabel, type ResponseConfig } from './options.js';
import type { NamespaceFacts, PodFacts, Verdict } from './types.js';

export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];

export const ACT: Verdict = { decision: 'act', rule: 'allowed', reason: 'every safety rule passed' };
const deny = (rule: string, reason: string): Verdict => ({ decision: 'deny', rule, reason });
const skip = (rule: string, reason: string): Verdict => ({ decision: 'skip', rule, reason });

export function namespaceAllowed(ns: string, allow: string[]): boolean {
  return allow.some((p) => (p.endsWith('*') ? ns.startsWith(p.slice(0, -1)) : p === ns));
}

/** Rules on the namespace name alone: no request is made for a namespace these deny. */
export function checkNamespaceName(ns: string, config: ResponseConfig): Verdict {
  if (!ns) return skip('no-target', 'the alert names no namespace');
  if (SYSTEM_NAMESPACES.includes(ns)) return deny('system-namespace', `${ns} is a Kubernetes system namespace; the engine never acts there`);
  if (ns === config.ownNamespace) return deny('own-namespace', `${ns} is Peregrine's own namespace; the responder never contains itself`);
  if (!namespaceAllowed(ns, config.allowNamespaces)) {
    const list = config.allowNamespaces.length ? config.allowNamespaces.join(', ') : 'empty: act nowhere';
    return deny('allow-list', `${ns} is not in response.allowNamespaces (${list})`);
  }
  return ACT;
}

/** Rules on the namespace object (its labels). */
export function checkNamespace(ns: NamespaceFacts, config: ResponseConfig): Verdict {
  const byName = checkNamespaceName(ns.name, config);
  if (byName.decision !== 'act') return byName;
  const [k, v] = splitLabel(config.protectedNamespaceLabel);
  if (ns.labels[k] === v) return deny('protected-namespace', `namespace ${ns.name} is labelled ${k}=${v}`);
  return ACT;
}

/** Rules on the pod, common to every action. */
export function checkPod(pod: PodFacts, config: ResponseConfig): Verdict {
  const [k, v] = splitLabel(config.protectedNamespaceLabel);
  if (pod.labels[k] === v) return deny('protected-pod', `pod ${pod.name} is labelled ${k}=${v}`);
  if (pod.annotations['kubernetes.io/config.mirror'] !== undefined || pod.ownerKind === 'Node') {
    return skip('static-pod', `pod ${pod.name} is a static (mirror) pod: the kubelet owns it from a file on the node, API changes do not reach it`);
  }
  if (pod.ownerKind === 'DaemonSet') {
    return deny('daemonset', `pod ${pod.name} belongs to DaemonSet ${pod.ownerName}: node agents (CNI, logging, security) must keep running, and a DaemonSet cannot be scaled down`);
  }
  if (pod.hostNetwork) {
    return deny('host-network', `pod ${pod.name} uses hostNetwork: it shares the node's network namespace, so a NetworkPolicy cannot isolate it, and acting on it would risk the node`);
  }
  if (pod.terminating || pod.phase === 'Succeeded' || pod.phase === 'Failed') {
    return skip('pod-finished', `pod ${pod.name} is ${pod.terminating ? 'terminating' : pod.phase}`);
  }
  return ACT;
}

/** Token bucket: `perMinute` refill, `burst` capacity. Counts every mutating action, dry runs included. */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 60_000) * this.perMinute);
    this.last = Math.max(this.last, now);
  }

  take(now: number): Verdict {
    this.refill(now);
    // The epsilon absorbs float drift from refilling in small steps (0.9 + 0.1 < 1 in binary).
    if (this.tokens < 1 - 1e-9) return skip('rate-limit', `more than ${this.perMinute} actions per minute (burst ${this.burst}); try again later`);
    this.tokens -= 1;
    return ACT;
  }
}

/**
 * Circuit breaker: `threshold` failed actions in a row open it for `openMs`; then one trial action is let through
 * (half-open): success closes it, failure opens it again. A failing API server or missing RBAC stops the engine
 * from hammering it, and a human sees `peregrine_response_circuit_open 1`.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trial = false;

  constructor(
    private readonly threshold: number,
    private readonly openMs: number,
    private readonly onChange: (open: boolean) => void = () => {},
  ) {}

  /** The verdict without taking the trial slot (used to avoid even reading while open). */
  peek(now: number): Verdict {
    if (this.openedAt === null) return ACT;
    if (now - this.openedAt < this.openMs || this.trial) {
      const left = Math.max(0, Math.ceil((this.openedAt + this.openMs - now) / 1000));
      return skip('circuit-open', `${this.failures} requests failed in a row; the circuit breaker is open${left ? ` for ${left} s more` : ' (a trial action is running)'}`);
    }
    return ACT;
  }

  /** Gate for one action: closed -> act; open -> skip; open long enough -> act once as the trial. */
  check(now: number): Verdict {
    const v = this.peek(now);
    if (v.decision === 'act' && this.openedAt !== null) this.trial = true;
    return v;
  }

  /** The trial slot was granted but no action ran (rate limit, forensics): give it back. */
  release(): void {
    this.trial = false;
  }

  success(): void {
    this.failures = 0;
    this.trial = false;
    if (this.openedAt !== null) {
      this.openedAt = null;
      this.onChange(false);
    }
  }

  failure(now: number): void {
    this.failures++;
    this.trial = false;
    if (this.failures >= this.threshold) {
      const wasOpen = this.openedAt !== null;
      this.openedAt = now;
      if (!wasOpen) this.onChange(true);
    }
  }

  get open(): boolean {
    return this.openedAt !== null;
  }
}
