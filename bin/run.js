#!/usr/bin/env node
// Checked before anything else loads: on an older Node, oclif and its dependencies fail with thousands of lines of
// unrelated errors (`TEXT_ENCODINGS.union is not a function`) and then "… is not a claw-mesh command". One line
// naming the version needed belongs there instead, with exit code 3 (needs your action: install a runtime).
// The minimum comes from package.json's engines.node, the one place it is written.
import {readFileSync} from 'node:fs'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const needed = /(\d+)\.(\d+)/.exec(pkg.engines.node)
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < Number(needed[1]) || (major === Number(needed[1]) && minor < Number(needed[2]))) {
  process.stderr.write(`claw-mesh needs Node.js ${needed[1]}.${needed[2]} or newer; this is Node.js ${process.versions.node} (${process.execPath}). Install Node 24 (e.g. nvm install 24) and run it again.\n`)
  process.exit(3)
}

// `claw-mesh --version` is answered before oclif loads (it is what scripts and health checks call most);
// the text is exactly oclif's own.
const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`claw-mesh/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
