import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

let root: string | undefined

/**
 * The directory of claw-mesh's own package.json. Code runs from `src/` (tests), `dist/` (tsc) or a chunk of the
 * start-up bundle (`dist/bundle/chunks/`), so a path counted in `../` from this file is right in one of them only:
 * files the package ships (bin/run.js, templates/) are found from the root instead.
 */
export function packageRoot(): string {
  if (root) return root
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pjson = path.join(dir, 'package.json')
    if (existsSync(pjson) && (JSON.parse(readFileSync(pjson, 'utf8')) as {name?: string}).name === 'claw-mesh')
      return (root = dir)
    const up = path.dirname(dir)
    if (up === dir) throw new Error(`claw-mesh's package.json was not found above ${fileURLToPath(import.meta.url)}`)
    dir = up
  }
}
