/** Summarizers: turn event streams into fixed-length vectors per entity and interval. */
export * from './syscall/index.js';
