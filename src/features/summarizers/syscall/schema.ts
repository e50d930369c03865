/**
 * The activity-vector schema, version 1: 187 features per (container, interval), in this order.
 *
 * | features | count | meaning |
 * |---|---|---|
 * | `sc_<name>` | 72 | calls of each audited syscall (catalog.ts), aliases folded |
 * | `class_<class>` | 10 | calls per class (the 72 plus the class-only calls of catalog.ts) |
 * | `events_total`, `events_other` | 2 | all events; events in no class (read, write, futex, kernel hooks...) |
 * | `proc_distinct`, `exe_distinct`, `exe_unseen` | 3 | distinct process names; distinct executables (exe path, else process name); of those, not in the group's executable baseline (0 while the group is still learning it) |
 * | `failed_total`, `failed_<class>` | 11 | calls with a negative return value, overall and per class |
 * | `net_connect_<port class>`, `net_accept_<port class>` | 10 | connect / accept+accept4 calls by destination (server) port: `wellknown` 1-1023, `registered` 1024-49151, `ephemeral` 49152-65535, `risky` (RISKY_PORTS, counted there and not in their range), `noport` (unknown) |
 * | `file_<path class>` | 6 | events with an absolute file path, by path class (first match): `secrets`, `etc`, `tmp`, `proc`, `binusr`, `other` |
 * | `bigram_00` ... `bigram_63` | 64 | consecutive syscall pairs of the container, hashed into 64 buckets |
 * | `res_samples`, `res_cpu_mean`, `res_cpu_max`, `res_memory_max`, `res_net_rx`, `res_net_tx`, `res_storage_read`, `res_storage_written` | 8 | resource samples in the interval (LID-DS .res); 0 when none |
 * | `interval_seconds` | 1 | the interval's length (varies with jittered edges; 0 for traces) |
 *
 * Never reorder or rename: consumers (models trained on vectors) key on positions and names. Any change bumps
 * SCHEMA_VERSION and the schema id.
 */
import { AUDITED_SYSCALLS, SYSCALL_CLASSES } from './catalog.js';

export const SCHEMA_VERSION = 1;
export const SCHEMA_ID = 'peregrine.syscall-activity/v1';

export const PORT_CLASSES = ['wellknown', 'registered', 'ephemeral', 'risky', 'noport'] as const;
export const PATH_CLASSES = ['secrets', 'etc', 'tmp', 'proc', 'binusr', 'other'] as const;
export const BIGRAM_BUCKETS = 64;
export const RESOURCE_FEATURES = ['res_samples', 'res_cpu_mean', 'res_cpu_max', 'res_memory_max', 'res_net_rx', 'res_net_tx', 'res_storage_read', 'res_storage_written'] as const;

const names: string[] = [];
const add = (list: readonly string[]): number => {
  const at = names.length;
  names.push(...list);
  return at;
};

export const OFF_SYSCALL = add(AUDITED_SYSCALLS.map((s) => `sc_${s}`));
export const OFF_CLASS = add(SYSCALL_CLASSES.map((c) => `class_${c}`));
export const F_EVENTS_TOTAL = add(['events_total']);
export const F_EVENTS_OTHER = add(['events_other']);
export const F_PROC_DISTINCT = add(['proc_distinct']);
export const F_EXE_DISTINCT = add(['exe_distinct']);
export const F_EXE_UNSEEN = add(['exe_unseen']);
export const F_FAILED_TOTAL = add(['failed_total']);
export const OFF_FAILED_CLASS = add(SYSCALL_CLASSES.map((c) => `failed_${c}`));
export const OFF_CONNECT = add(PORT_CLASSES.map((p) => `net_connect_${p}`));
export const OFF_ACCEPT = add(PORT_CLASSES.map((p) => `net_accept_${p}`));
export const OFF_PATH = add(PATH_CLASSES.map((p) => `file_${p}`));
export const OFF_BIGRAM = add(Array.from({ length: BIGRAM_BUCKETS }, (_, i) => `bigram_${String(i).padStart(2, '0')}`));
export const OFF_RESOURCE = add(RESOURCE_FEATURES);
export const F_INTERVAL_SECONDS = add(['interval_seconds']);

/** Feature names in vector order. */
export const FEATURE_NAMES: readonly string[] = Object.freeze(names.slice());
export const FEATURE_COUNT = FEATURE_NAMES.length;
