/**
 * ListCommandInvocations without a CommandId lists the invocations of every command requested in a
 * time range (Filters InvokedAfter / InvokedBefore, whole seconds, and DocumentName): one page of 50
 * then answers for several small commands sent close together, where listing them one by one costs a
 * call each. This cuts the commands asked about into such ranges, each holding at most a page of the
 * invocations known to fall in it (the commands of ours requested in the range, asked about or not).
 */

/** A command as SSM recorded it: when it was requested (SSM's clock), how many targets, which document. */
export interface KnownCommand {
  requestedAt: number
  targets: number
  documentName: string
}

/** One listing: the invocations of commands requested in [after, before) (ms, whole seconds) of one document. */
export interface InvocationSlice {
  after: number
  before: number
  documentName: string
  commandIds: string[]
}

const SECOND = 1_000

/**
 * The listings for `asked` that take the fewest pages: each asked command either alone, by CommandId
 * (a page, as commands have at most 50 targets), or in a time range with its neighbours in request
 * order, which pages over every known invocation of the range (the commands of ours requested then,
 * asked about or not). Returned are the ranges; the asked commands in none of them (and those not
 * `known`) are for the caller to list by CommandId.
 */
export function invocationSlices(asked: string[], known: ReadonlyMap<string, KnownCommand>, pageSize: number): InvocationSlice[] {
  const byDocument = new Map<string, {id: string; command: KnownCommand}[]>()
  for (const id of new Set(asked)) {
    const command = known.get(id)
    if (command) byDocument.set(command.documentName, [...(byDocument.get(command.documentName) ?? []), {id, command}])
  }
  const slices: InvocationSlice[] = []
  for (const [documentName, commands] of byDocument) {
    // Every known command of this document, in request order: those between two asked ones share their pages.
    const all = [...known.values()].filter((c) => c.documentName === documentName)
    const rows = (after: number, before: number) => all.reduce((sum, c) => sum + (c.requestedAt >= after && c.requestedAt < before ? c.targets : 0), 0)
    const ordered = commands.sort((a, b) => a.command.requestedAt - b.command.requestedAt)
    const second = (i: number) => Math.floor((ordered[i]?.command.requestedAt ?? 0) / SECOND) * SECOND
    // best[j]: the fewest pages for the first j asked commands, and how the last of them are listed.
    const best: {pages: number; from: number; ranged: boolean}[] = [{pages: 0, from: 0, ranged: false}]
    for (let j = 1; j <= ordered.length; j++) {
      let choice = {pages: (best[j - 1]?.pages ?? 0) + 1, from: j - 1, ranged: false}
      for (let i = 0; i < j; i++) {
        const pages = (best[i]?.pages ?? 0) + Math.max(1, Math.ceil(rows(second(i), second(j - 1) + SECOND) / pageSize))
        if (pages < choice.pages) choice = {pages, from: i, ranged: true}
      }
      best.push(choice)
    }
    for (let j = ordered.length; j > 0; ) {
      const choice = best[j]
      if (!choice) break
      if (choice.ranged) slices.push({after: second(choice.from), before: second(j - 1) + SECOND, documentName, commandIds: ordered.slice(choice.from, j).map((c) => c.id)})
      j = choice.from
    }
  }
  return slices
}

/** A filter timestamp as the SSM documentation writes them (2024-07-07T00:00:00Z). */
export function filterTimestamp(ms: number): string {
  return new Date(Math.floor(ms / SECOND) * SECOND).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
