import path from 'node:path'
import {parseWatchdogState, type WatchdogState} from '../../core/lifecycle/watchdog-state.js'
import type {Deps} from '../../deps.js'
import {ensureDir, readIfExists, writeFileAtomic} from '../../infra/fs-atomic.js'

/** `<stateDir>/watchdog.json`: the watchdog's memory between runs (failure streak, alerts sent, install settings). */
export function watchdogFilePath(deps: Pick<Deps, 'stateDir'>): string {
  return path.join(deps.stateDir, 'watchdog.json')
}

export async function readWatchdogFile(deps: Pick<Deps, 'stateDir'>): Promise<WatchdogState> {
  return parseWatchdogState(await readIfExists(watchdogFilePath(deps)))
}

export async function writeWatchdogFile(deps: Pick<Deps, 'stateDir'>, state: WatchdogState): Promise<void> {
  await ensureDir(deps.stateDir)
  await writeFileAtomic(watchdogFilePath(deps), `${JSON.stringify(state, null, 2)}\n`, 0o600)
}
