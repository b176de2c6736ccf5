import {Writable} from 'node:stream'
import {stripVTControlCharacters} from 'node:util'
import {Listr, ListrLogger, ProcessOutput, type ListrTask} from 'listr2'
import {stripControl} from '../core/common/terminal-text.js'
import type {IOStreams} from './io.js'

/**
 * Thrown by a step that did its work but did not fully succeed (a peer that does not answer): drawn as failed (✖,
 * never a green tick), and the steps after it still run. The caller reports the partial result itself.
 */
export class StepIncomplete extends Error {}

export interface ProgressTask<Ctx> {
  title: string
  /** Returns a short note shown after the title when it finishes ("unchanged", "restarted"). */
  run(ctx: Ctx, update: (message: string) => void): Promise<string | void>
  skip?: (ctx: Ctx) => string | false
}

/**
 * Without a terminal every progress update is its own log line, and a wait updates twice a second. Passes on a
 * new phase (the text before any "(…)" with its counters) at once and repeats of one phase at most every `everyMs`;
 * on a terminal (where an update redraws one line) everything.
 */
export function throttleProgress(
  forward: (message: string) => void,
  opts: {terminal: boolean; everyMs?: number; now?: () => number},
): (message: string) => void {
  if (opts.terminal) return forward
  const now = opts.now ?? Date.now
  let last: {at: number; phase: string} | undefined
  return (message) => {
    const phase = message.replace(/\(.*$/, '').replace(/\d+/g, '#').trim()
    const at = now()
    if (last && phase === last.phase && at - last.at < (opts.everyMs ?? 5000)) return
    last = {at, phase}
    forward(message)
  }
}

/**
 * Runs steps with listr2: animated on a terminal, plain lines without one, always on stderr so stdout
 * stays free for the result (and for --json).
 */
export async function runProgress<Ctx extends object>(
  io: IOStreams,
  ctx: Ctx,
  tasks: ProgressTask<Ctx>[],
): Promise<Ctx> {
  const animated = io.stderrIsTTY && !io.jsonMode
  // listr2 colours with util.styleText, which asks process.stdout whether it takes colour: a terminal on stdout
  // would colour stderr redirected to a file. Without animation (no cursor codes) the colour is stripped unless
  // stderr itself takes it.
  const strip = !animated && !io.stderrColor
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = chunk.toString()
      io.errDrawing(strip ? stripVTControlCharacters(text) : text)
      cb()
    },
  }) as unknown as NodeJS.WriteStream
  ;(sink as {isTTY?: boolean}).isTTY = io.stderrIsTTY
  const incomplete = new Set<number>()
  const listrTasks: ListrTask<Ctx>[] = tasks.map((t, i) => ({
    title: t.title,
    skip: t.skip ? (c: Ctx) => t.skip!(c) : undefined,
    // Only a StepIncomplete lets the list go on; any other failure stops it.
    exitOnError: () => !incomplete.has(i),
    task: async (c, task) => {
      // Notes and messages may quote a peer or another program: stripped, as the drawing itself is not.
      let note: string | void
      try {
        note = await t.run(
          c,
          throttleProgress((message) => void (task.output = stripControl(message)), {terminal: animated}),
        )
      } catch (error) {
        if (error instanceof StepIncomplete) incomplete.add(i)
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
    rendererOptions: {
      logger: new ListrLogger({processOutput: new ProcessOutput(sink, sink)}),
      collapseErrors: false,
      formatOutput: 'wrap',
    } as never,
    fallbackRendererOptions: {logger: new ListrLogger({processOutput: new ProcessOutput(sink, sink)})} as never,
  } as never)
  return list.run()
}
