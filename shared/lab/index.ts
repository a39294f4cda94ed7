// shared/lab — the lab engine's contract: cluster configuration, the commands front ends send and
// the versioned LabEvent stream they receive. Plain data only; imports only other shared/ modules.
export * from './config'
export * from './events'
export * from './commands'
export * from './api'
export * from './sockets'
export * from './workload'
export * from './bench'
export * from './figure16'
export * from './validate'
export * from './ipc'
