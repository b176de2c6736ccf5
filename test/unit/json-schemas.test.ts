import {readdirSync, readFileSync, statSync} from 'node:fs'
import type {PeerTrustResult} from '../../src/services/peers/trust.js'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {z} from 'zod'
import {errorDocumentSchema, jsonSchemas, type JsonCommandId} from '../../src/core/common/json-schemas.js'
import type {CreatedInvite, InviteListEntry} from '../../src/services/peers/invite.js'
import type {AlertDelivery} from '../../src/services/alerts/send.js'
import type {AskResult} from '../../src/services/a2a/ask.js'
import type {BootstrapResult} from '../../src/services/bootstrap/types.js'
import type {DoctorResult} from '../../src/services/doctor/doctor.js'
import type {FixReport} from '../../src/services/doctor/fix.js'
import type {FileGetResult, FileSendResult} from '../../src/services/files/taildrop.js'
import type {ConfigureWithPluginResult} from '../../src/services/gateway/configure-plugin.js'
import type {StartResult} from '../../src/services/gateway/start.js'
import type {GatewayStatus} from '../../src/services/gateway/status.js'
import type {LeaveResult} from '../../src/services/leave/leave.js'
import type {BroadcastResult} from '../../src/services/messaging/broadcast.js'
import type {RoutedSend} from '../../src/services/messaging/send.js'
import type {AddPeerResult} from '../../src/services/peers/add.js'
import type {CheckPeersResult} from '../../src/services/peers/check.js'
import type {DiscoverResult} from '../../src/services/peers/discover.js'
import type {PeerListResult} from '../../src/services/peers/list.js'
import type {RemovePeerResult} from '../../src/services/peers/remove.js'
import type {StatusResult} from '../../src/services/status/status.js'
import type {InstallResult} from '../../src/services/tailscale/install.js'
import type {JoinResult} from '../../src/services/tailscale/join.js'
import type {TailscaleSummary} from '../../src/core/tailscale/tailscale-status.js'
import type {RotateResult} from '../../src/services/tokens/rotate.js'
import type {WatchdogInstallResult, WatchdogUninstallResult} from '../../src/services/watchdog/install.js'
import type {WatchdogRunResult} from '../../src/services/watchdog/run.js'
import type {LogResult} from '../../src/services/messaging/audit-log.js'
import type {OutboxResult, requestOutboxChange} from '../../src/services/messaging/outbox.js'
import {commandIdOfClass} from '../helpers/json-document.js'

/**
 * Compile time: every value a command's service can return, wrapped as `{ok: true, …}`, is a valid input of the
 * published schema — so the schema cannot demand a field the code may leave out, or type one more narrowly.
 */
type Covers<K extends JsonCommandId, T> = [{ok: true} & T] extends [z.input<(typeof jsonSchemas)[K]>] ? true : false
const covered: {[K in JsonCommandId]: true} = {
  ask: true satisfies Covers<'ask', AskResult>,
  task: true satisfies Covers<'task', AskResult>,
  bootstrap: true satisfies Covers<'bootstrap', BootstrapResult>,
  broadcast: true satisfies Covers<'broadcast', BroadcastResult>,
  doctor: true satisfies Covers<'doctor', DoctorResult & {fix?: FixReport}>,
  'file:get': true satisfies Covers<'file:get', FileGetResult>,
  'file:send': true satisfies Covers<'file:send', FileSendResult>,
  'gateway:configure': true satisfies Covers<'gateway:configure', ConfigureWithPluginResult>,
  'gateway:start': true satisfies Covers<'gateway:start', StartResult>,
  'gateway:status': true satisfies Covers<'gateway:status', GatewayStatus>,
  invite: true satisfies Covers<'invite', CreatedInvite | {invites: InviteListEntry[]} | {revoked: InviteListEntry}>,
  leave: true satisfies Covers<'leave', LeaveResult | {cancelled: true}>,
  log: true satisfies Covers<'log', LogResult>,
  'outbox:list': true satisfies Covers<'outbox:list', OutboxResult>,
  'outbox:retry': true satisfies Covers<'outbox:retry', Awaited<ReturnType<typeof requestOutboxChange<'retry'>>>>,
  'outbox:cancel': true satisfies Covers<'outbox:cancel', Awaited<ReturnType<typeof requestOutboxChange<'cancel'>>>>,
  'peer:add': true satisfies Covers<'peer:add', AddPeerResult>,
  'peer:check': true satisfies Covers<'peer:check', CheckPeersResult>,
  'peer:discover': true satisfies Covers<'peer:discover', DiscoverResult>,
  'peer:list': true satisfies Covers<'peer:list', PeerListResult>,
  'peer:remove': true satisfies Covers<'peer:remove', RemovePeerResult>,
  'peer:trust': true satisfies Covers<'peer:trust', PeerTrustResult>,
  send: true satisfies Covers<'send', RoutedSend>,
  status: true satisfies Covers<'status', StatusResult>,
  'tailscale:install': true satisfies Covers<'tailscale:install', InstallResult>,
  'tailscale:join': true satisfies Covers<'tailscale:join', JoinResult>,
  'tailscale:status': true satisfies Covers<'tailscale:status', TailscaleSummary>,
  'token:rotate': true satisfies Covers<'token:rotate', RotateResult>,
  'watchdog:install': true satisfies Covers<'watchdog:install', WatchdogInstallResult>,
  'watchdog:run': true satisfies Covers<'watchdog:run', WatchdogRunResult | {test: AlertDelivery}>,
  'watchdog:uninstall': true satisfies Covers<'watchdog:uninstall', WatchdogUninstallResult>,
}

const COMMANDS = path.resolve(__dirname, '../../src/commands')
function commandFiles(dir = COMMANDS): string[] {
  return readdirSync(dir).flatMap((f) =>
    statSync(path.join(dir, f)).isDirectory() ? commandFiles(path.join(dir, f)) : [path.join(dir, f)],
  )
}

describe('the --json schemas', () => {
  it('exist for every command, found from its class name the way the command tests find them', () => {
    for (const file of commandFiles()) {
      const id = path.relative(COMMANDS, file).replace(/\.ts$/, '').replaceAll(path.sep, ':')
      const className = /export default class (\w+)/.exec(readFileSync(file, 'utf8'))?.[1] ?? ''
      expect(commandIdOfClass(className), file).toBe(id)
    }
    expect(Object.keys(covered).sort()).toEqual(Object.keys(jsonSchemas).sort())
  })

  it('reject a document whose field has the wrong type, naming the path', () => {
    const r = jsonSchemas['peer:remove'].safeParse({
      ok: true,
      name: 'clawd',
      url: 'http://100.88.12.7:18789',
      tokenDeleted: 'yes',
      rediscoverable: false,
    })
    expect(r.success).toBe(false)
    expect(r.error?.issues[0].path).toEqual(['tokenDeleted'])
    expect(jsonSchemas.send.safeParse({ok: false}).success).toBe(false)
  })

  it('describe the error document every command prints when it could not do its work', () => {
    expect(
      errorDocumentSchema.safeParse({
        ok: false,
        error: {
          code: 'usage',
          exitCode: 2,
          message: 'Missing 1 required argument: name.',
          hint: 'See: claw-mesh peer remove --help',
        },
      }).success,
    ).toBe(true)
    expect(errorDocumentSchema.safeParse({ok: false, error: {code: 'usage', message: 'no exit code'}}).success).toBe(
      false,
    )
  })
})
