/**
 * Generated container syscall activity for the runtime path (tests, replay inputs, the runtime benchmark): nginx
 * serving HTTP, the SRI paper's staged cryptominer, an HTTP flood in cycles. See scenario.ts.
 */
export {
  generateEvents,
  generateAllEvents,
  writeEventsFile,
  minerSchedule,
  DEFAULT_RATE,
  DEFAULT_START_US,
  type ScenarioOptions,
  type AttackSpec,
  type MinerAttack,
  type FloodAttack,
  type StageWindow,
  type GeneratedFormat,
} from './scenario.js';
export { MINER_STAGES, StagedMiner, type MinerStage, type MinerOptions } from './miner.js';
export { NginxServer, EVENTS_PER_REQUEST, type NginxOptions } from './nginx.js';
export { containerIdentity, streamSeed, Emitter, BENIGN, type ContainerIdentity, type Proc, type Tag } from './emit.js';
