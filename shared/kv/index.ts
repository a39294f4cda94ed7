// shared/kv — the replicated key-value state machine applied from committed entries, with client
// sessions for exactly-once writes (diss. §6.3). Pure: imports only shared/raft types and util.
export * from './command'
export * from './store'
export * from './snapshot'
export * from './stateMachine'
