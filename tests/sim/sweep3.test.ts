// The simulator sweep run by `npm test` on 3 nodes (see sweepCase.ts).
import { defineSweep } from './sweepCase'

defineSweep(3, 2000)
