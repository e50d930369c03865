import type { Alert, FeatureContribution } from '../types.js';
import type { DeliveryChange } from './sink.js';

/** Text pieces shared by the human-facing sinks (Slack, email, PagerDuty details). */

export const round3 = (x: number): string => String(Math.round(x * 1000) / 1000);

export function featureLine(f: FeatureContribution): string {
  return `${f.name} = ${round3(f.value)} (${Math.round(f.share * 100)}% of the score)`;
}

/** `[CRITICAL] title` / `[RESOLVED] title`. */
export function headline(alert: Alert, change: DeliveryChange): string {
  const tag = change === 'resolved' || alert.status === 'resolved' ? 'RESOLVED' : alert.severity.toUpperCase();
  return `[${tag}] ${alert.title}`;
}

/** Truncates to `max` characters with an ellipsis (Slack and PagerDuty reject longer fields). */
export function cap(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

/** Plain-text evidence block (email body, PagerDuty custom details). */
export function evidenceText(alert: Alert): string[] {
  const ev = alert.evidence;
  const lines: string[] = [];
  if (ev.topFeatures.length > 0) lines.push('Top contributing features:', ...ev.topFeatures.map((f) => `  - ${featureLine(f)}`));
  if (ev.keyEvents.length > 0) lines.push('Key events:', ...ev.keyEvents.map((e) => `  ${e}`));
  if (ev.processLineage.length > 0) lines.push(`Process lineage: ${ev.processLineage.join(' > ')}`);
  if (ev.forensicsRef) lines.push(`Forensics: ${ev.forensicsRef}`);
  return lines;
}
