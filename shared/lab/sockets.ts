// Where a lab's sockets live. Unix: files in the cluster's private run directory; Windows: named
// pipes (the same Node `net` API serves both). Pure string logic, so every process agrees.
import type { NodeId } from '../raft/types'

/** MAX_SOCKET_PATH_BYTES is the longest Unix-domain socket path that works everywhere: macOS's
 * sun_path holds 104 bytes including the terminating NUL (Linux allows 108). */
export const MAX_SOCKET_PATH_BYTES = 103

/** SocketPathError says a socket path is too long, and how to fix it. */
export class SocketPathError extends Error {
  override name = 'SocketPathError'
}

function socketPath(runDir: string, name: string, platform: string): string {
  if (platform === 'win32') {
    const tag = runDir.replace(/[^A-Za-z0-9]+/g, '-').slice(-60)
    return `\\\\.\\pipe\\raftlab${tag}-${name}`
  }
  const path = `${runDir.replace(/\/+$/, '')}/${name}.sock`
  const bytes = new TextEncoder().encode(path).length
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new SocketPathError(
      `socket path ${path} is ${bytes} bytes; Unix-domain sockets allow ${MAX_SOCKET_PATH_BYTES}. ` +
        'Set XDG_RUNTIME_DIR or TMPDIR to a shorter directory.',
    )
  }
  return path
}

/** nodeSocketPath is the socket node `id` listens on, for peers and clients. */
export function nodeSocketPath(runDir: string, id: NodeId, platform: string): string {
  return socketPath(runDir, `n${id}`, platform)
}

/** controlSocketPath is the supervisor's socket, where every node reports. */
export function controlSocketPath(runDir: string, platform: string): string {
  return socketPath(runDir, 'control', platform)
}
