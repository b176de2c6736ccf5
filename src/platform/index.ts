import {UsageError} from '../core/common/errors.js'
import {darwinAdapter} from './darwin.js'
import {linuxAdapter} from './linux.js'
import type {PlatformAdapter, PlatformId} from './types.js'
import {win32Adapter} from './win32.js'

export type {PlatformAdapter, PlatformId} from './types.js'

export const PLATFORM_IDS: PlatformId[] = ['linux', 'darwin', 'win32']

/** Chooses the adapter once, from a platform value that defaults to this machine's. */
export function platformAdapter(platform: string = process.platform): PlatformAdapter {
  switch (platform) {
    case 'linux':
      return linuxAdapter
    case 'darwin':
      return darwinAdapter
    case 'win32':
      return win32Adapter
    default:
      throw new UsageError(`Platform "${platform}" is not supported.`, {
        hint: 'claw-mesh runs on linux, darwin (macOS) and win32 (Windows).',
      })
  }
}

export function currentPlatformId(): string {
  return process.platform
}
