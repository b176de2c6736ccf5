import {Flags} from '@oclif/core'

/** Flags shared by several commands, spread into each command's `flags`. */
export const socketFlag = {
  socket: Flags.string({description: 'tailscaled socket (for a userspace daemon); remembered after a join.', helpValue: 'PATH'}),
}

export const loginServerFlag = {
  'login-server': Flags.string({
    description: 'Control server URL for a self-hosted tailnet (Headscale), e.g. https://headscale.example.com. Default: $CLAW_MESH_LOGIN_SERVER; remembered after a join.',
    helpValue: 'URL',
  }),
}

export const dryRunFlag = {
  'dry-run': Flags.boolean({description: 'Print the plan and change nothing.', default: false}),
}

export const timeoutFlag = (defaultValue: string, description = 'How long to wait before giving up (e.g. 60s, 2m).') => ({
  timeout: Flags.string({description, default: defaultValue, helpValue: 'DURATION'}),
})

export const tailscaleKeyFlag = {
  'tailscale-key': Flags.string({
    description: 'Auth key or OAuth client secret: file:PATH, - (stdin), or the value (visible to ps: avoid). Default: $CLAW_MESH_TAILSCALE_KEY.',
    helpValue: 'file:PATH|-',
  }),
}

export const trustFlag = {
  trust: Flags.string({
    description:
      "What the peer's messages may do on this host: chat (default: talk only, no commands, no file access) or delegate (its messages may run commands here). Change it later with claw-mesh peer trust NAME LEVEL.",
    helpValue: 'chat|delegate',
  }),
}
