/** The training-curve figure of a neural model's report (the papers' TensorBoard plots): loss and accuracy per epoch. */
import { lineChart, type Series } from '../../evaluation/svg.js';
import type { TrainingHistory } from './trainer.js';

export function trainingCurveSvg(history: TrainingHistory, options: { title?: string; bestEpoch?: number; width?: number } = {}): string {
  const pts = (ys: number[]) => ys.map((y, i) => ({ x: i + 1, y }));
  const series: Series[] = [{ name: 'training loss', points: pts(history.loss) }];
  if (history.valLoss.length) series.push({ name: 'validation loss', points: pts(history.valLoss), dashed: true });
  const positive = series.every((s) => s.points.every((p) => p.y > 0));
  const chart = lineChart(series, {
    title: options.title ?? 'Training curve',
    width: options.width,
    x: { label: 'epoch', min: 1, max: Math.max(2, history.loss.length) },
    y: { label: 'loss', log: positive && spread(history.loss) > 30 },
    refLines: options.bestEpoch ? [{ x: options.bestEpoch, label: 'best', dashed: true }] : [],
  });
  if (!history.accuracy.length) return chart;
  const acc: Series[] = [{ name: 'training accuracy', points: pts(history.accuracy) }];
  if (history.valAccuracy.length) acc.push({ name: 'validation accuracy', points: pts(history.valAccuracy), dashed: true });
  return (
    chart +
    lineChart(acc, { title: 'Accuracy', width: options.width, x: { label: 'epoch', min: 1, max: Math.max(2, history.loss.length) }, y: { label: 'accuracy', min: 0, max: 1 } })
  );
}

function spread(ys: number[]): number {
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  return lo > 0 ? hi / lo : 1;
}
