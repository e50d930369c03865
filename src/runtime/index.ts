/**
 * The container runtime path: syscall events -> per-container activity vectors -> per-group VAE stability ->
 * adaptive (or standard) forensic publisher -> sink, with measurement, a model registry, replay and the HTML view.
 */
export { StabilityMonitor, type Assessment, type Phase, type StabilityStats } from './stability.js';
export { stabilitySchema, parseStabilityOptions, type StabilityOptions, type StabilityInput } from './options.js';
export {
  MemoryModelRegistry,
  DirectoryModelRegistry,
  readModelFile,
  groupSlug,
  RUNTIME_MODEL_FORMAT,
  RUNTIME_MODEL_FORMAT_VERSION,
  type ModelRegistry,
  type StoredModel,
  type ModelMeta,
  type RegistryProblem,
  type DirectoryRegistryOptions,
} from './registry.js';
export {
  RuntimePipeline,
  type PipelineOptions,
  type PublishMode,
  type IntervalMetrics,
  type StageTimes,
  type TimelinePoint,
  type ContainerTimeline,
  type Detection,
  type RuntimeSummary,
} from './pipeline.js';
export { MemorySink, type MemorySinkOptions, type MemorySinkStats } from './memory-sink.js';
export { runtimeReportSection, renderRuntimeReport, type RuntimeReportOptions } from './report.js';
export { runReplay, replicaContainerId, replicaPod, REPLAY_FORMATS, type ReplayOptions, type ReplayPlan, type ReplayResult, type ReplaySinkType } from './replay.js';
