// raftlab's version, read from package.json at build time.
import pkg from '../../package.json'

/** APP_VERSION is raftlab's version. */
export const APP_VERSION: string = pkg.version
