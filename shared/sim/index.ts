// shared/sim — the deterministic simulator: a seeded in-memory cluster running the real core with
// an unreliable network, partitions, crashes and pauses, and Raft's safety properties checked
// after every step. Pure: no node:*, no clock, no global randomness.
export * from './simulation'
export * from './safety'
export { EventQueue, type Timed } from './queue'
