/** Scenario evaluation of the whole pipeline on a simulated cluster: harness, detectors and reports. */
export { runScenarioEvaluation, resolveScenarioList, type ScenarioEvalOptions, type ScenarioEvalReport, type ScenarioOutcome, type AlertRecord, type ModalityOutcome } from './harness.js';
export { SyscallDetector, FlowDetector, AuditDetector, MetricDetector, riskyPodSpec, auditKey, MODALITY_NAMES, type Signal, type Phase, type ModalityName, type DetectorSettings } from './detectors.js';
export { formatScenarioText, scenarioMarkdown, renderScenarioHtml, totalsLines } from './report.js';
export { evaluateDataset } from './dataset.js';
