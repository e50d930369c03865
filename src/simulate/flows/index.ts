/**
 * Seeded CICFlowMeter-V4 flow generator for a simulated Kubernetes cluster: benign workload profiles, attack
 * scenarios, packet-consistent flow features, streaming CSV output and the demo dataset.
 */
export { CICFLOWMETER_V4_COLUMNS, COLUMN_SPECS, BENIGN_LABEL, type FlowRecord, type ColumnKind, type ColumnSpec } from './columns.js';
export { flowToCsvRow, writeFlowsCsv, javaDouble, formatTimestamp, CSV_HEADER, type WriteCsvResult } from './csv.js';
export { generateFlows, deriveSeed, type FlowStream, type GenerateFlowsOptions } from './generate.js';
export { writeDemoDataset, DEMO_ATTACKS, type DemoDataset, type DemoDatasetOptions } from './dataset.js';
export { defaultCluster, DEFAULT_START_TIME, DEFAULT_BENIGN_FLOWS_PER_SECOND } from './defaults.js';
export {
  resolveCluster,
  linkBetween,
  type ClusterSpec,
  type WorkloadSpec,
  type NodeSpec,
  type ExternalService,
  type ResolvedCluster,
  type ResolvedWorkload,
  type Pod,
  type Host,
  type Link,
} from './cluster.js';
export {
  attackScenarios,
  registerScenario,
  type AttackScenario,
  type AttackSpec,
  type AttackWindow,
  type AttackEnv,
  type AttackPlan,
  type EntityRef,
} from './attacks/index.js';
export { workloadProfiles, registerProfile, type WorkloadProfile, type ProfileEnv } from './profiles/index.js';
export { TimeBase, poissonSource, periodicSource, sessionSource, type LoadCurve, type Session } from './time.js';
export { persistentTcp, type PersistentTcpOptions } from './sessions.js';
export { SimContext, type FlowSource } from './engine.js';
export { TcpConn, STACKS, type TcpStack } from './tcp.js';
export { FlowMeter, UdpConn, RawConn } from './connection.js';
export { FlowStats, Moments, FLOW_TIMEOUT_US, ACTIVITY_TIMEOUT_US } from './meter.js';
