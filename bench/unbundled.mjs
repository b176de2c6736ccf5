// The start-up claw-mesh had before its bundle, kept as the benchmark's baseline: oclif from node_modules, the
// commands found through oclif.manifest.json in dist/commands (tsc's output, one file per module).
import {execute} from '@oclif/core'

await execute({dir: new URL('../bin/run.js', import.meta.url).href})
