// Bundles claw-mesh's OpenClaw plugin into one self-contained file (OpenClaw runs no npm install for a local
// plugin) next to its manifest and package.json: dist/openclaw-plugin/, which bootstrap installs.
import {build} from 'esbuild'
import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const out = path.join(root, 'dist', 'openclaw-plugin')
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
// The OpenClaw release the plugin is built and tested against; outside this range OpenClaw refuses to load it.
const OPENCLAW_TESTED = '2026.9.6'

mkdirSync(out, {recursive: true})
await build({
  entryPoints: [path.join(root, 'src', 'plugin', 'index.ts')],
  outfile: path.join(out, 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  external: ['openclaw', 'openclaw/*'],
  legalComments: 'none',
  logLevel: 'warning',
})
copyFileSync(path.join(root, 'src', 'plugin', 'openclaw.plugin.json'), path.join(out, 'openclaw.plugin.json'))
writeFileSync(
  path.join(out, 'package.json'),
  `${JSON.stringify(
    {
      name: 'claw-mesh-openclaw-plugin',
      version: pkg.version,
      private: true,
      type: 'module',
      description: 'claw-mesh mesh tools for OpenClaw agents (installed by claw-mesh bootstrap)',
      openclaw: {
        extensions: ['./index.js'],
        compat: {pluginApi: `>=${OPENCLAW_TESTED} <2026.10.0`, minGatewayVersion: OPENCLAW_TESTED},
        build: {openclawVersion: OPENCLAW_TESTED, pluginSdkVersion: OPENCLAW_TESTED},
      },
    },
    null,
    2,
  )}\n`,
)
