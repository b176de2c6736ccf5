import {Writable} from 'node:stream'
import {Listr, ListrLogger, ProcessOutput, type ListrTask} from 'listr2'
import {stripControl} from '../core/terminal-text.js'
import type {IOStreams} from './io.js'

export interface ProgressTask<Ctx> {
  title: string
  /** Returns a short note shown after the title when it finishes ("unchanged", "restarted"). */
  run(ctx: Ctx, update: (message: string) => void): Promise<string | void>
  skip?: (ctx: Ctx) => string | false
}

/**
 * Runs steps with listr2: animated on a terminal, plain lines without one, always on stderr so stdout
 * stays free for the result (and for --json).
 */
export async function runProgress<Ctx extends object>(io: IOStreams, ctx: Ctx, tasks: ProgressTask<Ctx>[]): Promise<Ctx> {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      io.errDrawing(chunk.toString())
      cb()
    },
  }) as unknown as NodeJS.WriteStream
  ;(sink as {isTTY?: boolean}).isTTY = io.stderrIsTTY
  const animated = io.stderrIsTTY && !io.jsonMode
  const listrTasks: ListrTask<Ctx>[] = tasks.map((t) => ({
    title: t.title,
    skip: t.skip ? (c: Ctx) => t.skip!(c) : undefined,
    task: async (c, task) => {
      // Notes and messages may quote a peer or another program: stripped, as the drawing itself is not.
      let note: string | void
      try {
        note = await t.run(c, (message) => {
          task.output = stripControl(message)
        })
      } catch (error) {
        // listr2 draws a failed task's message under it, through the unstripped drawing path.
        if (error instanceof Error) error.message = stripControl(error.message)
        throw error
      }
      if (note) task.title = `${t.title} — ${stripControl(note)}`
    },
  }))
  const list = new Listr<Ctx, 'default', 'simple'>(listrTasks, {
    ctx,
    concurrent: false,
    exitOnError: true,
    registerSignalListeners: false,
    renderer: 'default',
    fallbackRenderer: 'simple',
    fallbackRendererCondition: !animated,
    rendererOptions: {logger: new ListrLogger({processOutput: new ProcessOutput(sink, sink)}), collapseErrors: false, formatOutput: 'wrap'} as never,
    fallbackRendererOptions: {logger: new ListrLogger({processOutput: new ProcessOutput(sink, sink)})} as never,
    forceColor: io.color,
  } as never)
  return list.run()
}
