/**
 * Cluster telemetry simulator: a seeded Kubernetes cluster (nodes, namespaces, deployments, pods with churn,
 * services, diurnal load) whose syscalls (Falco, Tetragon, NDJSON), flows (CICFlowMeter CSV), container metrics
 * (Prometheus exposition) and audit events (audit.k8s.io/v1) tell one story, plus a labelled scenario library.
 */
export { ClusterSimulation, streamClusterTelemetry, DEFAULT_SIM_START, type ClusterSimOptions, type ScenarioRun, type StreamOptions, type TelemetrySlice } from './stream.js';
export { writeClusterDataset, MODALITIES, type DatasetOptions, type DatasetResult, type Modality } from './dataset.js';
export { scenarioNames, scenarioDef, scenarioSeconds, createScenario, registerClusterScenario, type ScenarioLabel, type ScenarioKind, type ScenarioDef, type ScenarioInstance } from './scenarios.js';
export { buildTopology, clusterSpec, type Topology, type SimPod, type SimWorkload, type SimService, type SysProfile } from './topology.js';
export { SyscallSim, SyscallColumns, sortByMillisecond } from './syscalls.js';
export { FastEventWriter, type FastFormat } from './fast-writer.js';
export { encodeTetragonEvent, encodeAuditEvent, encodeExposition, tetragonCovers, fullContainerId, type AuditEvent, type ContainerSample } from './formats.js';
export { PROFILES, diurnal } from './profiles.js';
import './attacks.js';
import './chaos.js';
