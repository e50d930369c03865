import { Command } from 'commander';
import { loadModel } from '../training/model-file.js';

export function inspectCommand(): Command {
  return new Command('inspect')
    .description('verify a model file (checksum, version) and print what it holds')
    .argument('<model>', 'model file')
    .option('--json', 'print the model metadata as JSON (without the fitted state)')
    .action((path: string, o: { json?: boolean }) => {
      const { model: m, sizeBytes } = loadModel(path);
      // Neural models record the TF.js backend they were trained on (fitInfo.backend); classical ones have none.
      const fitInfo = (m.detector.state as { fitInfo?: { backend?: string; backendReason?: string } } | null)?.fitInfo;
      const backend = fitInfo?.backend ? { name: fitInfo.backend, reason: fitInfo.backendReason ?? '' } : null;
      const ae = m.preprocessing.ae ?? null;
      const meta = {
        file: path,
        sizeBytes,
        checksum: m.checksum,
        formatVersion: m.formatVersion,
        peregrineVersion: m.peregrineVersion,
        createdAt: m.createdAt,
        input: { format: m.input.format, numericColumns: m.input.numericNames.length, categoricalColumns: m.input.categoricalNames, identifiers: m.input.idNames, label: m.input.labelName },
        preprocessing: {
          ...m.preprocessing.options,
          droppedConstant: m.preprocessing.expandedNames.filter((_, j) => !m.preprocessing.kept.includes(j)),
          pcaComponents: m.preprocessing.pca?.k ?? null,
          autoencoder: ae && { inputs: ae.inputDim, bottleneck: ae.options.bottleneck, backend: ae.fitInfo.backend, trainingReconstructionMse: ae.trainingReconstructionMse },
        },
        features: m.features.names,
        detector: { type: m.detector.type, version: m.detector.version, params: m.detector.params, ...(backend ? { backend } : {}) },
        threshold: m.threshold,
        training: m.training,
      };
      if (o.json) {
        process.stdout.write(JSON.stringify(meta, null, 2) + '\n');
        return;
      }
      const t = m.training;
      const lines = [
        `model      ${path} (${(sizeBytes / 1024).toFixed(1)} KiB), checksum OK (${m.checksum.slice(0, 23)}...)`,
        `format     v${m.formatVersion}, written by peregrine ${m.peregrineVersion} at ${m.createdAt}`,
        `input      ${m.input.format}: ${m.input.numericNames.length} numeric + ${m.input.categoricalNames.length} categorical columns; identifiers never used: ${m.input.idNames.join(', ') || 'none'}`,
        `features   ${m.features.names.length} after preprocessing (impute ${m.preprocessing.options.impute}, scaler ${m.preprocessing.options.scaler}${m.preprocessing.options.log1p ? ', log1p' : ''}${m.preprocessing.pca ? `, PCA ${m.preprocessing.pca.k} components` : ''}${ae ? `, autoencoder ${ae.inputDim} -> ${ae.options.bottleneck} on ${ae.fitInfo.backend}` : ''}); dropped constant: ${meta.preprocessing.droppedConstant.length}`,
        `detector   ${m.detector.type} v${m.detector.version} ${JSON.stringify(m.detector.params)}`,
        ...(backend ? [`backend    ${backend.name} (TF.js, recorded at training: ${backend.reason})`] : []),
        `threshold  ${m.threshold.method} = ${m.threshold.value} ${JSON.stringify(m.threshold.params)}`,
        `training   ${t.fitRows} fit rows + ${t.calibrationRows} calibration rows (${t.normalOnly ? 'normal only' : 'all rows'}), seed ${t.seed}, ${t.fitSeconds.toFixed(3)} s, ${t.rowsSkipped} rows skipped`,
        `classes    ${Object.entries(t.classCounts).map(([c, n]) => `${c}: ${n}`).join(', ')}`,
        `data       ${t.files.map((f) => `${f.path} (${f.bytes} bytes)`).join(', ')}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
