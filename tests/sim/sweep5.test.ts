// The simulator sweep run by `npm test` on 5 nodes (see sweepCase.ts).
import { defineSweep } from './sweepCase'

defineSweep(5, 2000)
