// `claw-mesh --help` (and `claw-mesh` alone) answered without loading oclif's Config and plugins, which is most of
// what the root help cost (~60 ms of CPU). The list comes from dist/bundle/root-help.json, which the build takes from
// oclif itself (scripts/root-help-data.mjs); the text is laid out by oclif's own formatter (RootHelp, renderList,
// section, wrap) with the steps of oclif's Help.showRootHelp copied below, so widths, wrapping and colour are
// oclif's. test/integration/root-help.test.ts compares the output with oclif's at several widths, with and without
// colour. Whenever oclif would read something this does not (a user theme, user plugins, a debug log), it declines
// and oclif answers as before.
const builtin = (name) => process.getBuiltinModule?.(name) ?? import(name)

/** Prints the root help and returns true, or returns false (printing nothing) when oclif must answer. */
export async function printRootHelp(pkg, env = process.env) {
  const {existsSync, readFileSync} = await builtin('node:fs')
  const {join, resolve} = await builtin('node:path')
  const os = await builtin('node:os')
  let data
  try {
    data = JSON.parse(readFileSync(new URL('../dist/bundle/root-help.json', import.meta.url), 'utf8'))
  } catch {
    return false
  }
  if (!data || env.DEBUG) return false
  const bin = pkg.oclif.bin || pkg.name
  // oclif reads a user theme from its config folder and user plugins from its data folder (Config.load).
  const windows = process.platform === 'win32'
  const home =
    env.HOME ||
    (windows && ((env.HOMEDRIVE && env.HOMEPATH && join(env.HOMEDRIVE, env.HOMEPATH)) || env.USERPROFILE)) ||
    os.homedir() ||
    os.tmpdir()
  const dirname = windows ? (pkg.oclif.dirname || pkg.name).replace('/', '\\') : pkg.oclif.dirname || pkg.name
  const scoped = (k) => env[`${bin.replaceAll('@', '').replaceAll(/[/-]/g, '_')}_${k}`.toUpperCase()]
  const dir = (category) =>
    join(
      env[`XDG_${category.toUpperCase()}_HOME`] ||
        (windows && env.LOCALAPPDATA) ||
        join(home, category === 'data' ? '.local/share' : `.${category}`),
      dirname,
    )
  const themeOff = scoped('DISABLE_THEME') === '1' || scoped('DISABLE_THEME') === 'true'
  if (!themeOff && existsSync(resolve(scoped('CONFIG_DIR') || dir('config'), 'theme.json'))) return false
  if (existsSync(join(scoped('DATA_DIR') || dir('data'), 'package.json'))) return false

  const {HelpFormatter, RootHelp, ansis, isWsl} = await import('../dist/bundle/root-help.js')
  const arch = os.arch() === 'ia32' ? 'x86' : os.arch()
  const platform = (await isWsl()) ? 'wsl' : os.platform()
  const config = {
    bin,
    pjson: pkg,
    topicSeparator: ' ',
    theme: undefined,
    userAgent: `${pkg.name}/${pkg.version} ${platform}-${arch} node-${process.version}`,
  }
  const f = new HelpFormatter(config, {})
  // As Help.formatRoot: RootHelp takes the help's options (maxWidth, the terminal's width, among them).
  const root = new RootHelp(config, f.opts)
  // oclif renders every text as an EJS template; one without a tag comes out as it went in, so only those are rendered.
  const ejs = f.render
  const render = (text) => (text.includes('<%') || text.includes('%>') ? ejs(text) : text)
  root.render = render
  f.render = render
  const list = (rows) => f.renderList(rows, {indentation: 2, spacer: '\n', stripAnsi: undefined})
  const summary = (c) =>
    c.summary !== undefined ? render(c.summary) : c.description && render(c.description).split('\n', 1)[0]
  // Help.showRootHelp, formatTopics and formatCommands (@oclif/core lib/help/index.js) with no theme.
  let out = `${root.root()}\n\n`
  if (data.topics.length > 0)
    out += `${f.section('TOPICS', list(data.topics.map((t) => [t.name, t.description && render(t.description)])))}\n\n`
  if (data.commands.length > 0)
    out += `${f.section('COMMANDS', list(data.commands.map((c) => [c.id, summary(c) && ansis.strip(summary(c))])))}\n\n`
  process.stdout.write(out)
  return true
}
