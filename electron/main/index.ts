// electron/main — the Electron main process: app lifecycle, the window, the menu and the IPC
// handlers that forward to the lab engine (electron/lab). Thin by design: it never holds lab
// logic itself. May import electron, node:*, shared/ and electron/lab; never renderer/.
import { startApp } from './app'

startApp()
