/**
 * Syscall summarizer: per-container, per-interval activity vectors from SyscallEvents (the SRI container-stability
 * design). See summarizer.ts for the streaming rules, schema.ts for the features, catalog.ts for the 72 syscalls.
 */
export { SyscallSummarizer, type ActivityVector, type SummarizerStats } from './summarizer.js';
export { summarizerSchema, parseSummarizerOptions, type SummarizerOptions, type SummarizerInput } from './options.js';
export * from './schema.js';
export { AUDITED_BY_CLASS, AUDITED_SYSCALLS, CLASS_ONLY, SYSCALL_ALIASES, SYSCALL_CLASSES, syscallInfo, type SyscallClass } from './catalog.js';
export { RISKY_PORTS, groupKey, normalizeImage, pathClass, portClass, workloadOf, type GroupBy } from './classify.js';
export { bigramBucket, fnv1a32, fmix32 } from './hash.js';
export { WindowClock } from './windows.js';
export { ExecutableBaseline, BASELINE_FORMAT, type BaselineJson } from './baseline.js';
export { csvHeader, f32Text, vectorFormatOf, vectorToCsv, vectorToNdjson, CSV_ID_COLUMNS, type VectorFormat } from './output.js';
export { summarizeInputs, vectorsToBatch, type SummarizeResult } from './run.js';
