// shared/check — the linearizability checker for recorded client histories (Wing & Gong search
// with Lowe's memoization, split per key). Pure: must not import node:*, read a clock or use
// global randomness; time budgets use an injected clock. Imports only shared/util.
export {
  MalformedHistoryError,
  pairOperations,
  parseHistory,
  partitionByKey,
  type EventType,
  type HistoryEvent,
  type OpKind,
  type OpStatus,
  type Operation,
} from './history'
export {
  checkHistory,
  checkOperations,
  type CheckOptions,
  type CheckResult,
  type KeyResult,
  type Verdict,
} from './linearizable'
export {
  DEFAULT_CACHE_BYTES,
  DEFAULT_MAX_STATES,
  DEFAULT_MAX_STEPS,
  defaultMaxStates,
  searchKey,
  type BudgetKind,
  type SearchLimits,
  type SearchResult,
  type StuckPoint,
} from './search'
export { describeOperation, formatWitness, type Witness, type WitnessStep } from './witness'
