// What `claw-mesh --help` lists, taken at build time from oclif itself (the root plugin, oclif's plugins, its sort
// and its filters) and written to dist/bundle/root-help.json. bin/root-help.js prints the root help from it with
// oclif's own formatter, without loading oclif's Config: see there for when it steps aside.
import {writeFileSync} from 'node:fs'
import {Config, Help} from '@oclif/core'

const firstLine = (text) => text.split('\n', 1)[0]

/**
 * The root help's data, or null when the fast path must not answer: the package sets a state or a theme (oclif then
 * prints more than the list). Texts are kept as written: an EJS template (`<%= config.bin %>`) is rendered at run
 * time, by oclif's formatter, as oclif does.
 */
export async function rootHelpData(root) {
  const config = await Config.load({root, userPlugins: false, devPlugins: false})
  const help = new Help(config)
  const topics = help.sortedTopics
    .filter((t) => !t.name.includes(':'))
    .map((t) => ({name: t.name, description: t.description ? firstLine(t.description) : undefined}))
  // Help.summary: the summary's first line, or the description's first line once rendered.
  const commands = help.sortedCommands
    .filter((c) => !c.id.includes(':') && c.id)
    .map((c) => (c.summary ? {id: c.id, summary: firstLine(c.summary)} : {id: c.id, description: c.description}))
  if (config.pjson.oclif.state || config.pjson.oclif.theme) return null
  return {topics, commands}
}

export async function writeRootHelpData(root, file) {
  writeFileSync(file, `${JSON.stringify(await rootHelpData(root))}\n`)
}
