// esbuild plugins for scripts/bundle.mjs: start-up work the bundle can leave out without changing what any
// command does. Each was found with `node --cpu-prof` on the built CLI; the figures are CPU per run.
import {readFileSync} from 'node:fs'

/**
 * Edits to @oclif/core's own files that leave its behaviour as it is, each found by its exact text: the build fails
 * when an oclif upgrade changes the text, so no edit is ever silently lost or misapplied.
 */
const OCLIF_EDITS = [
  {
    // oclif warns when Node does not satisfy *its* package.json's engines, read relative to its own folder. In the
    // bundle that file is not there (the require throws and the warning is skipped), yet semver was loaded first
    // (~7 ms). bin/run.js checks claw-mesh's own engines before anything loads.
    file: /[\\/]@oclif[\\/]core[\\/]lib[\\/]index\.js$/,
    from: '\ncheckNodeVersion();\n',
    to: '\n// checkNodeVersion(): dead in the bundle (see scripts/bundle-plugins.mjs)\n',
  },
  {
    // Whether this is WSL comes from is-wsl, which wsl-utils only re-exports (`export {default as isWsl} from
    // 'is-wsl'`): importing it directly skips wsl-utils' PowerShell helpers and their child_process, util and
    // fs/promises imports.
    file: /[\\/]@oclif[\\/]core[\\/]lib[\\/]util[\\/]os\.js$/,
    from: "return (await import('wsl-utils')).isWsl ? 'wsl' : (0, node_os_1.platform)();",
    to: "return (await import('is-wsl')).default ? 'wsl' : (0, node_os_1.platform)();",
  },
]

export const oclifEdits = {
  name: 'oclif-edits',
  setup(build) {
    const applied = new Set()
    build.onLoad({filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/].*\.js$/}, (args) => {
      const edits = OCLIF_EDITS.filter((e) => e.file.test(args.path))
      if (edits.length === 0) return undefined
      let text = readFileSync(args.path, 'utf8')
      for (const edit of edits) {
        if (!text.includes(edit.from)) throw new Error(`bundle: @oclif/core changed: ${args.path} no longer has ${JSON.stringify(edit.from)} (review scripts/bundle-plugins.mjs)`)
        text = text.replace(edit.from, edit.to)
        applied.add(edit)
      }
      return {contents: text, loader: 'js'}
    })
    build.onEnd((result) => {
      if (result.errors.length > 0) return
      const missed = OCLIF_EDITS.filter((e) => !applied.has(e))
      if (missed.length > 0) throw new Error(`bundle: no @oclif/core file matched ${missed.map((e) => e.file).join(', ')} (review scripts/bundle-plugins.mjs)`)
    })
  },
}
