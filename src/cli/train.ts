import { Command, Option } from 'commander';
import { PeregrineError } from '../core/errors.js';
import { saveModel } from '../training/model-file.js';
import { runTraining } from '../training/train.js';
import { asOnBadRow, collectKeyValue, collectList, describeReadStats, formatOption, info, onBadRowOption, parseNumber, progressBar } from './common.js';

export interface TrainCliOptions {
  format?: string;
  data: string[];
  detector: string;
  param?: Record<string, unknown>;
  trainer?: string;
  normalOnly?: boolean;
  multiclass?: boolean;
  smote?: boolean;
  seed: number;
  out: string;
  scaler: string;
  log1p?: boolean;
  impute: string;
  pca?: number;
  reduce?: 'pca' | 'ae';
  reduceParam?: Record<string, unknown>;
  keepConstant?: boolean;
  threshold: string;
  thresholdParam?: Record<string, unknown>;
  calibration: number;
  includePorts?: boolean;
  intervalSeconds?: number;
  labelColumn?: string;
  idColumn?: string[];
  benignLabel?: string[];
  onBadRow: string;
  quiet?: boolean;
  json?: boolean;
}

export function trainCommand(): Command {
  return new Command('train')
    .description('fit the feature pipeline, a detector and its threshold on data files; write one model file')
    .addOption(formatOption().makeOptionMandatory())
    .requiredOption('--data <paths...>', 'input files or folders (folders are read recursively)')
    .requiredOption('--detector <name>', 'detector to train (see `peregrine detectors`)')
    .option('--param <key=value>', 'detector parameter, repeatable (e.g. --param nEstimators=200)', collectKeyValue)
    .addOption(new Option('--trainer <kind>', 'neural detectors with a trainer choice (hybrid): standard or maml; same as --param trainer=KIND').choices(['standard', 'maml']))
    .option('--normal-only', 'fit on benign-labelled rows only (one-class training)')
    .option('--multiclass', 'supervised detectors: one class per attack type (default: benign vs attack)')
    .option('--smote', 'supervised detectors: SMOTE-oversample minority classes of the fit rows (after the feature pipeline)')
    .option('--seed <n>', 'seed for every random choice', parseNumber('--seed', { integer: true, min: 0 }), 0)
    .requiredOption('--out <model>', 'model file to write')
    .addOption(new Option('--scaler <kind>', 'feature scaler').choices(['standard', 'minmax', 'robust', 'none']).default('standard'))
    .option('--log1p', 'apply signed log1p to numeric features before scaling')
    .addOption(new Option('--impute <policy>', 'value for non-finite cells (NaN, Infinity, empty)').choices(['median', 'mean', 'zero']).default('median'))
    .option('--pca <v>', 'PCA feature reduction: a variance target in (0,1) (e.g. 0.95) or a number of components', parseNumber('--pca', { min: 0 }))
    .addOption(new Option('--reduce <kind>', 'feature reduction: pca (PCA, 95 % variance; same as --pca 0.95) or ae (autoencoder, 10-d bottleneck, last pipeline step)').choices(['pca', 'ae']))
    .option('--reduce-param <key=value>', '--reduce ae: autoencoder option, repeatable (e.g. epochs=10, bottleneck=8)', collectKeyValue)
    .option('--keep-constant', 'keep columns that are constant in the training rows')
    .option('--threshold <method>', 'threshold method: contamination, meanstd, pot, budget', 'contamination')
    .option('--threshold-param <key=value>', 'threshold parameter, repeatable (e.g. contamination=0.02, k=3, alertsPerDay=10)', collectKeyValue)
    .option('--calibration <fraction>', 'fraction of normal training rows held out to calibrate the threshold', parseNumber('--calibration', { min: 0, max: 0.9 }), 0.2)
    .option('--interval-seconds <s>', 'event formats: activity-vector interval (default 30; ADFA-LD is one vector per trace)', parseNumber('--interval-seconds', { min: 0.001 }))
    .option('--include-ports', 'CICFlowMeter: use Src/Dst Port as features (identifiers by default)')
    .option('--label-column <name>', 'csv: the label column (default "label"; "none" for unlabelled data)')
    .option('--id-column <name>', 'csv: an identifier column never used as a feature, repeatable', collectList)
    .option('--benign-label <value>', 'an extra label value meaning benign, repeatable', collectList)
    .addOption(onBadRowOption())
    .option('--json', 'print a JSON summary instead of text')
    .option('--quiet', 'no progress or notes on stderr')
    .action(async (o: TrainCliOptions) => {
      const readBar = progressBar('reading', o.quiet);
      const fitBar = progressBar('fitting', o.quiet);
      if (o.pca !== undefined && o.pca <= 0) throw new PeregrineError('PGN_ERR_USAGE', '--pca must be > 0', { where: '--pca' });
      if (o.reduceParam && o.reduce !== 'ae') throw new PeregrineError('PGN_ERR_USAGE', '--reduce-param applies to --reduce ae only', { where: '--reduce-param' });
      const result = await runTraining({
        format: o.format as string,
        files: o.data,
        detector: o.detector,
        detectorParams: o.trainer ? { ...o.param, trainer: o.trainer } : o.param,
        normalOnly: Boolean(o.normalOnly),
        multiClass: Boolean(o.multiclass),
        smote: Boolean(o.smote),
        seed: o.seed,
        pipeline: {
          scaler: o.scaler as 'standard',
          log1p: Boolean(o.log1p),
          impute: o.impute as 'median',
          pca: o.pca ?? (o.reduce === 'pca' ? 0.95 : null),
          ae: o.reduce === 'ae' ? (o.reduceParam ?? {}) : null,
          dropConstant: !o.keepConstant,
        },
        threshold: { method: o.threshold, params: o.thresholdParam },
        calibrationFraction: o.calibration,
        onBadRow: asOnBadRow(o.onBadRow),
        reader: { includePorts: Boolean(o.includePorts), labelColumn: o.labelColumn, idColumns: o.idColumn, benignLabels: o.benignLabel, intervalSeconds: o.intervalSeconds },
        onReadProgress: (d, t) => readBar.update(d, t),
        onFitProgress: (d, t) => fitBar.update(d, t),
        command: ['peregrine', ...process.argv.slice(2)].join(' '),
      }).finally(() => {
        readBar.stop();
        fitBar.stop();
      });
      const size = saveModel(o.out, result.model);
      const m = result.model;
      for (const line of [...describeReadStats(result.stats), ...result.notes]) info(o.quiet, `note: ${line}`);
      const summary = {
        model: o.out,
        sizeBytes: size,
        detector: m.detector.type,
        features: m.features.names.length,
        rowsRead: m.training.rowsRead,
        rowsSkipped: m.training.rowsSkipped,
        fitRows: m.training.fitRows,
        calibrationRows: m.training.calibrationRows,
        fitSeconds: round(result.fitSeconds),
        readSeconds: round(result.readSeconds),
        threshold: m.threshold,
      };
      if (o.json) {
        process.stdout.write(JSON.stringify(summary) + '\n');
        return;
      }
      process.stdout.write(
        [
          `trained ${m.detector.type} on ${m.training.fitRows} rows x ${m.features.names.length} features in ${round(result.fitSeconds)} s (read ${round(result.readSeconds)} s)`,
          `threshold ${m.threshold.method}: ${fmt(m.threshold.value)} (calibrated on ${m.training.calibrationRows || m.training.fitRows} ${m.training.calibrationRows ? 'held-out' : 'training'} rows, alert rate ${(100 * m.threshold.trainingAlertRate).toFixed(2)} %)`,
          `wrote ${o.out} (${(size / 1024).toFixed(1)} KiB)`,
        ].join('\n') + '\n',
      );
    });
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function fmt(x: number): string {
  return Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(4) : x.toFixed(6);
}
