/**
 * Starting a `.cmd`/`.bat` file (npm's `openclaw.cmd` shim) on Windows. Node refuses to spawn one without a shell
 * since CVE-2024-27980 (18.20.2, 20.12.2, 21.7.3: `spawn EINVAL`), so it goes through `cmd.exe /d /s /c "…"` the way
 * execa and cross-spawn do: cmd's metacharacters escaped with `^`, the arguments twice (cmd parses the line, and the
 * shim's `%*` hands it to cmd's parser again), the whole line passed verbatim. Pure.
 */
const CMD_META = /([()\][%!^"`<>&|;, *?])/g

/** One argument: quoted for CommandLineToArgvW (what node.exe parses), then escaped for cmd. */
export function cmdArg(arg: string, doubleEscape: boolean): string {
  let quoted = `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\*)$/, '$1$1')}"`
  quoted = quoted.replace(CMD_META, '^$1')
  return doubleEscape ? quoted.replace(CMD_META, '^$1') : quoted
}

export function isCmdScript(command: string): boolean {
  return /\.(cmd|bat)$/i.test(command)
}

/** The cmd.exe invocation that runs `command args…` when command is a `.cmd`/`.bat` script. */
export function cmdScriptInvocation(
  command: string,
  args: readonly string[],
  comSpec?: string,
): {command: string; args: string[]; windowsVerbatimArguments: true} {
  const line = [command.replace(CMD_META, '^$1'), ...args.map((a) => cmdArg(a, true))].join(' ')
  return {command: comSpec || 'cmd.exe', args: ['/d', '/s', '/c', `"${line}"`], windowsVerbatimArguments: true}
}
