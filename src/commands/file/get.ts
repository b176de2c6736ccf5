import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {parseDuration} from '../../core/common/duration.js'
import {ExitCode} from '../../core/common/errors.js'
import {timeoutFlag} from '../../flags.js'
import {getFiles, type FileGetResult} from '../../services/files/taildrop.js'

export default class FileGet extends BaseCommand<typeof FileGet> {
  static override summary = 'Move files sent to this machine over Taildrop into a directory (tailscale file get).'
  static override description =
    'Takes every file waiting in the Taildrop inbox (the directory is created when missing). A name that already exists gets a numbered copy by default (--conflict rename); with --conflict skip it stays in the inbox and is reported. Prints the received paths on stdout. Exit code 4 when some files stayed in the inbox.'
  static override exitCodes = {
    PARTIAL: 'some files stayed in the Taildrop inbox (a name taken with `--conflict skip`, or a move that failed)',
  }
  static override examples = [
    '<%= config.bin %> file get ~/inbox',
    '<%= config.bin %> file get . --wait --timeout 5m',
    '<%= config.bin %> file get ~/inbox --json',
  ]
  static override args = {
    dir: Args.string({description: 'Directory to receive into (default: the current directory)', required: false}),
  }
  static override flags = {
    conflict: Flags.string({
      description:
        'When a file of the same name exists: rename (numbered copy), overwrite, or skip (leave it in the inbox).',
      options: ['rename', 'overwrite', 'skip'],
      default: 'rename',
    }),
    wait: Flags.boolean({description: 'Wait for a file to arrive when the inbox is empty.', default: false}),
    ...timeoutFlag('2m', 'How long to wait (with --wait) or to move the files.'),
  }

  protected async execute(): Promise<FileGetResult> {
    const {args} = this
    return getFiles(this.deps, args.dir ?? process.cwd(), {
      conflict: this.flags.conflict as 'rename' | 'overwrite' | 'skip',
      wait: this.flags.wait,
      timeoutMs: parseDuration(this.flags.timeout),
    })
  }

  protected override render(r: FileGetResult): void {
    for (const f of r.files) this.deps.io.out(`${f.path}\n`)
    for (const e of r.errors) this.deps.io.err(`${e}\n`)
    this.deps.io.err(
      r.files.length === 0
        ? `No files waiting in the Taildrop inbox.\n`
        : `Received ${r.files.length} file${r.files.length === 1 ? '' : 's'} into ${r.dir}.\n`,
    )
  }

  protected override exitCodeFor(r: FileGetResult): number {
    return r.errors.length > 0 ? ExitCode.PARTIAL : ExitCode.OK
  }
}
