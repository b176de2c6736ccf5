import {Flags} from '@oclif/core'

/** Flags shared by several commands, spread into each command's `flags`. */
export const socketFlag = {
  socket: Flags.string({
    description: 'tailscaled socket (for a userspace daemon); remembered after a join.',
    helpValue: 'PATH',
  }),
}

export const loginServerFlag = {
  'login-server': Flags.string({
    description:
      'Control server URL for a self-hosted tailnet (Headscale), e.g. https://headscale.example.com. Default: $CLAW_MESH_LOGIN_SERVER; remembered after a join.',
    helpValue: 'URL',
  }),
}

export const dryRunFlag = {
  'dry-run': Flags.boolean({description: 'Print the plan and change nothing.', default: false}),
}

export const timeoutFlag = (
  defaultValue: string,
  description = 'How long to wait before giving up (e.g. 60s, 2m).',
) => ({
  timeout: Flags.string({description, default: defaultValue, helpValue: 'DURATION'}),
})

/** Workload identity federation (tailscale.com): join with no stored secret, from a CI job or a cloud machine. */
export const tailscaleWifFlags = {
  'tailscale-client-id': Flags.string({
    description:
      "Join with a workload identity instead of a key: the federated identity's client ID (tailscale.com; needs --tags and --tailscale-audience or --tailscale-id-token).",
    helpValue: 'ID',
  }),
  'tailscale-audience': Flags.string({
    description:
      "Audience of the ID token tailscale fetches from the job's identity provider (GitHub Actions with id-token: write, AWS, GCP).",
    helpValue: 'AUDIENCE',
  }),
  'tailscale-id-token': Flags.string({
    description:
      'An ID token you already hold, instead of --tailscale-audience: file:PATH or - (stdin). Default: $CLAW_MESH_TAILSCALE_ID_TOKEN.',
    helpValue: 'file:PATH|-',
  }),
}

export const tailscaleKeyFlag = {
  'tailscale-key': Flags.string({
    description:
      'Auth key or OAuth client secret: file:PATH, - (stdin), or the value (visible to ps: avoid). Default: $CLAW_MESH_TAILSCALE_KEY.',
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
