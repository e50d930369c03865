import { fitInfoSchema } from './tf/persist.js';
import { trainingCurveSvg } from './tf/curves.js';
import type { ModelFile } from './model-file.js';

/**
 * Extra report sections that depend on what the model is: for neural models, the training curve (loss and
 * accuracy per epoch, the papers' TensorBoard figures) and the backend it was trained on.
 */
export function modelReportSections(model: ModelFile): { title: string; html: string }[] {
  const state = model.detector.state as { fitInfo?: unknown } | null;
  const parsed = fitInfoSchema.safeParse(state?.fitInfo);
  if (!parsed.success) return [];
  const f = parsed.data;
  const note = `<p>Trained on the TF.js <b>${f.backend}</b> backend (${escapeHtml(f.backendReason)}): ${f.epochsRun} of ${f.epochs} epochs${f.stoppedEarly ? ', stopped early' : ''}, best epoch ${f.bestEpoch}, ${f.trainRows.toLocaleString('en-US')} training and ${f.validationRows.toLocaleString('en-US')} validation rows, ${Math.round(f.rowsPerSecond).toLocaleString('en-US')} rows/s.</p>`;
  return [{ title: 'Training curve', html: note + trainingCurveSvg(f.history, { bestEpoch: f.bestEpoch }) }];
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
