import {describe, expect, it} from 'vitest'
import {execCommandProblems} from '../../src/core/openclaw/exec-provider-rules.js'

// libuv on Windows (src/win/fs.c fs__stat_handle): every file without FILE_ATTRIBUTE_READONLY is 0666, uid 0.
const WINDOWS_NODE = {symlink: false, mode: 0o100666, uid: 0}
const NODE = 'C:\\Program Files\\nodejs\\node.exe'

describe("OpenClaw's rules for an exec provider's command, per platform", () => {
  it.each<
    [
      string,
      Parameters<typeof execCommandProblems>[1],
      Parameters<typeof execCommandProblems>[2],
      number | undefined,
      RegExp | null,
    ]
  >([
    [
      'Windows: node.exe as libuv stats it (0666) passes: OpenClaw checks its ACL there',
      WINDOWS_NODE,
      'win32',
      undefined,
      null,
    ],
    ['Windows: a symlink is still refused', {...WINDOWS_NODE, symlink: true}, 'win32', undefined, /symlink/],
    ['Linux: the same mode is group- and world-writable', WINDOWS_NODE, 'linux', 0, /group- or world-writable/],
    [
      'macOS: group-writable is refused',
      {symlink: false, mode: 0o100775, uid: 501},
      'darwin',
      501,
      /group- or world-writable/,
    ],
    [
      "Linux: someone else's file is refused",
      {symlink: false, mode: 0o100755, uid: 0},
      'linux',
      1000,
      /not owned by you/,
    ],
    ['Linux: 0755 and ours passes', {symlink: false, mode: 0o100755, uid: 1000}, 'linux', 1000, null],
  ])('%s', (_name, st, platform, uid, expected) => {
    const problems = execCommandProblems(NODE, st, platform, uid)
    if (expected === null) expect(problems).toEqual([])
    else expect(problems.join('; ')).toMatch(expected)
  })
})
