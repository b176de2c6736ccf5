// Process-wide plumbing for the simulator: configuration from the environment, atomic JSON files,
// output, and the error type commands throw to end with a message and an exit code.
import {appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import path from 'node:path'

/** Ends a command: `text` goes to stderr (a newline is added unless `raw`), `code` is the exit status. */
export class SimExit extends Error {
  constructor(text, code = 1, {raw = false, stdout = false} = {}) {
    super(text)
    this.code = code
    this.raw = raw
    this.stdout = stdout
  }
}

export function readConfig(env = process.env) {
  const stateDir = env.TS_SIM_STATE
  if (!stateDir) throw new SimExit("tailscale-sim: TS_SIM_STATE must name this host's state directory", 70)
  const os = env.TS_SIM_OS || 'linux'
  if (!['linux', 'macOS', 'windows'].includes(os))
    throw new SimExit(`tailscale-sim: TS_SIM_OS=${os} is not linux, macOS or windows`, 70)
  const version = env.TS_SIM_VERSION || '1.84.3'
  return {
    stateDir: path.resolve(stateDir),
    controlDir: path.resolve(env.TS_SIM_CONTROL || path.join(stateDir, '..', 'control')),
    os,
    version,
    forceIp: env.TS_SIM_FORCE_IP || null,
    osHostname: env.TS_SIM_HOSTNAME || path.basename(path.resolve(stateDir)),
    user: env.USER || env.USERNAME || 'root',
  }
}

export function readJson(file, fallback = null) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    if (error.code === 'ENOENT') return fallback
    // A half-written file cannot happen (writes are atomic); garbage means a test wrote it on purpose.
    throw new SimExit(`tailscale-sim: ${file} is not valid JSON: ${error.message}`, 70)
  }
}

let tmpCounter = 0
/** Write temp + rename, so concurrent simulated hosts never see a torn file. */
export function writeJson(file, value) {
  mkdirSync(path.dirname(file), {recursive: true})
  const tmp = `${file}.${process.pid}.${tmpCounter++}.tmp`
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`)
  renameSync(tmp, file)
}

export function writeFileAtomic(file, data) {
  mkdirSync(path.dirname(file), {recursive: true})
  const tmp = `${file}.${process.pid}.${tmpCounter++}.tmp`
  writeFileSync(tmp, data)
  renameSync(tmp, file)
}

/** One JSON line per invocation (O_APPEND keeps short lines whole across processes). */
export function logArgv(stateDir, prog, argv) {
  mkdirSync(stateDir, {recursive: true})
  const line = JSON.stringify({prog, argv, pid: process.pid, time: new Date().toISOString()})
  appendFileSync(path.join(stateDir, 'argv.log'), `${line}\n`)
}

export const out = (text) => process.stdout.write(text)
export const err = (text) => process.stderr.write(text)
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
export const exists = (file) => existsSync(file)

/** Go's time.Time zero value as encoding/json prints it. */
export const ZERO_TIME = '0001-01-01T00:00:00Z'

/** RFC 3339 with second precision, like most timestamps in `tailscale status --json`. */
export function rfc3339(date) {
  return new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
