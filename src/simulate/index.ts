/** Cluster telemetry simulator. Network flows (CICFlowMeter-V4) for now; more telemetry formats will join here. */
export * from './flows/index.js';
