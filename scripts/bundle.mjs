// Bundles the built CLI (dist/, from tsc) into dist/bundle/: one file, cli.js, that holds oclif and every command.
// A command and each lazily imported module stay lazy inside it (esbuild wraps them and runs them on first import), so a
// command runs only its own modules' code; what it saves is the module loader's work per file, which with one chunk
// per shared module set cost more than the extra bytes (`status --json`: ~15 ms CPU, measured side by side). Start-up
// reads one file instead of ~600, and Node's compile cache (bin/run.js) keeps its compiled code. The root help's fast
// path (bin/root-help.js) is a second, small entry of its own.
// The command list comes from oclif.manifest.json (written by `oclif manifest` just before), so it cannot drift.
import {mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {parse} from 'acorn'
import {build} from 'esbuild'
import {asciiOnly, lazyBuiltins, oclifEdits} from './bundle-plugins.mjs'
import {writeRootHelpData} from './root-help-data.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const manifest = JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'))
const entryDir = path.join(root, 'dist', '.bundle-entry')
const outdir = path.join(root, 'dist', 'bundle')
rmSync(outdir, {recursive: true, force: true})
mkdirSync(entryDir, {recursive: true})

// Each command is a stand-in with only `run`, which oclif's explicit strategy needs; its real class (flags, help,
// the services behind it) loads when that command runs. Help and the command list read the manifest, as before.
const lines = Object.entries(manifest.commands).map(([id, c]) => {
  const file = path
    .relative(entryDir, path.join(root, ...c.relativePath))
    .split(path.sep)
    .join('/')
  return `  ${JSON.stringify(id)}: lazy(${JSON.stringify(id)}, () => import(${JSON.stringify(`./${file}`)})),`
})
writeFileSync(
  path.join(entryDir, 'cli.js'),
  `export {execute} from '@oclif/core'
const lazy = (id, load) => ({
  async run(argv, config) {
    const Command = (await load()).default
    Command.id = id
    return Command.run(argv, config)
  },
})
export const COMMANDS = {
${lines.join('\n')}
}
`,
)

// The root help's fast path (bin/root-help.js): oclif's formatter alone, and the list it prints, taken from oclif.
const oclifLib = path.dirname(createRequire(import.meta.url).resolve('@oclif/core'))
writeFileSync(
  path.join(entryDir, 'root-help.js'),
  `export {HelpFormatter} from ${JSON.stringify(path.join(oclifLib, 'help', 'formatter.js'))}
import root from ${JSON.stringify(path.join(oclifLib, 'help', 'root.js'))}
export const RootHelp = root.default // CommonJS: the module's exports (Node's rule), whose default is the class
export {default as ansis} from 'ansis'
// Imported when asked, as oclif's getPlatform does (scripts/bundle-plugins.mjs): one is-wsl chunk for both.
export const isWsl = async () => (await import('is-wsl')).default
`,
)

const common = {
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Outside the bundle: native addons, what oclif only loads for TypeScript development, and undici (loaded only in
  // userspace networking; bundled, its dynamic import lost the named exports: "Agent is not a constructor").
  external: ['@napi-rs/keyring', 'typescript', 'ts-node', 'undici'],
  // oclif and its dependencies are CommonJS: give them the require and __dirname they expect, rooted here.
  banner: {
    // (Read with process.getBuiltinModule, not imported: see lazyBuiltins.)
    js: "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url); const __cmPath = process.getBuiltinModule('node:url').fileURLToPath; const __filename = __cmPath(import.meta.url); const __dirname = __cmPath(new URL('.', import.meta.url));",
  },
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [oclifEdits, lazyBuiltins],
  logLevel: 'warning',
  outdir,
  bundle: true,
}
await build({...common, entryPoints: {cli: path.join(entryDir, 'cli.js')}, splitting: false})
// The root help reads two oclif files and nothing the edits touch; its is-wsl import stays a chunk of its own.
await build({
  ...common,
  entryPoints: {'root-help': path.join(entryDir, 'root-help.js')},
  splitting: true,
  plugins: [lazyBuiltins],
})
rmSync(entryDir, {recursive: true, force: true})
// Every output file pure ASCII, so V8 holds it as a one-byte string (see asciiOnly).
for (const file of readdirSync(outdir, {recursive: true}).filter((f) => f.endsWith('.js'))) {
  const full = path.join(outdir, file)
  const text = readFileSync(full, 'utf8')
  const ascii = asciiOnly(text, file, parse)
  if (ascii !== text) writeFileSync(full, ascii)
}
await writeRootHelpData(root, path.join(outdir, 'root-help.json'))
