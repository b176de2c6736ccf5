import type {Hook} from '@oclif/core'
import {closest} from '../core/common/suggest.js'

/**
 * A mistyped command: a usage error (exit 2, as in the exit-code table) that names the closest command, with or
 * without a terminal — scripts and agents read the suggestion too. oclif's own not-found plugin exits 127 and
 * suggests only on a terminal, where it asks.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const bin = opts.config.bin
  const ids = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id)
  const typed = opts.id.replaceAll(':', ' ')
  const best = closest(opts.id, ids)
  const topic = ids.some((id) => id.startsWith(`${opts.id.split(':')[0]}:`)) ? ` ${opts.id.split(':')[0]}` : ''
  const next = best
    ? `Did you mean: ${bin} ${best.replaceAll(':', ' ')}?`
    : `Run ${bin} help${topic} for the list of commands.`
  // The same two lines as every other claw-mesh error (oclif's own would wrap them at 80 columns).
  process.stderr.write(`Error: "${typed}" is not a ${bin} command.\n  → ${next}\n`)
  this.exit(2)
}

export default hook
