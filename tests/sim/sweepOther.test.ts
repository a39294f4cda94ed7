// The simulator on the cluster sizes the main sweeps do not cover: a single node (no links to
// cut; crashes and pauses only) and seven nodes (see sweepCase.ts).
import { defineSweep } from './sweepCase'

defineSweep(1, 1000)
defineSweep(7, 500)
