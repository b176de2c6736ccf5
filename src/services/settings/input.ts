import type {SettingsInput} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'

/**
 * The settings resolver's input from the deps bag: the environment, the platform, the state dir and the recorded
 * state (undefined when the file is damaged: whoever reads it for real reports that, not a settings lookup). The
 * caller adds what it has observed (flags, openclaw.json, `tailscale status`).
 */
export function settingsInput(
  deps: Pick<Deps, 'env' | 'store' | 'stateDir' | 'platform'>,
  extra: Omit<Partial<SettingsInput>, 'env' | 'platform' | 'stateDir'> = {},
): SettingsInput {
  return {
    env: deps.env,
    platform: deps.platform,
    stateDir: deps.stateDir,
    state: 'state' in extra ? extra.state : recordedState(deps),
    ...extra,
  }
}

function recordedState(deps: Pick<Deps, 'store'>): SettingsInput['state'] {
  try {
    return deps.store.read()
  } catch {
    return undefined
  }
}
