/**
 * What the window learns of its changes at a look: the finished invocations of the commands in flight,
 * read in aggregate. One ListCommands answers the counts of up to 50 commands; a command whose counts
 * did not move, or that succeeded on every instance (SSM's Success says that much), is not listed.
 * Only the others are listed (ListCommandInvocations, 50 a page), and not all of those at every look:
 * a command with a single new end and nothing wrong waits one look, so that its next listing finds
 * more (or the whole command done, which then needs no listing at all).
 *
 * While everything sent since the oldest command in flight fits in one page (a small window), the
 * counts are not read at all: one listing of those commands (by time range, see the adapter) tells
 * both whether and which of their instances ended, for the price of the ListCommands it replaces.
 */
import type {CommandSummary, InvocationResult} from '../../src/ports/commands.js'
import type {IncrementalDeps} from './deps.js'

/**
 * A command with at least this many ends not yet listed is listed at once: 2, or 6 in a window of
 * 1,000 places or more, where a look every few seconds finds many ends and a command with a few waits
 * one look at little cost (measured, bench/: at N=10,000 25% 0.68 -> 0.59 calls per instance, time
 * unchanged; in windows of 250 even 3 costs time, 1.041 -> 1.052 of the ideal window).
 */
function listAtOnce(window: number): number {
  return window >= 1_000 ? 6 : 2
}
/** Looks a command with a new end may wait before it is listed. */
const MAX_DEFER = 1
/** Invocations one ListCommandInvocations page answers. */
const ONE_PAGE = 50

export class CommandOutcomes {
  /** Per command, the ends its listing (or its Success) showed: more in its counts means some are new. */
  private readonly seen = new Map<string, {ends: number; errors: number}>()
  /** When each command was sent: the ListCommands range starts before the oldest one in flight. */
  private readonly sentAt = new Map<string, number>()
  /** Commands with a new end left for a later look, and for how many looks so far (MAX_DEFER at most). */
  private readonly deferred = new Map<string, number>()

  /** Instances of each command (one `sent` per instance): what a listing of it returns. */
  private readonly sizes = new Map<string, number>()

  private readonly listAtOnce: number

  /** `window`: the places of the window these commands fill (how many ends a look may find). */
  constructor(
    private readonly deps: IncrementalDeps,
    window = 0,
  ) {
    this.listAtOnce = listAtOnce(window)
  }

  /** One instance was sent `commandId` at `at` (called once per instance of the command). */
  sent(commandId: string, at: number): void {
    if (!this.sentAt.has(commandId)) this.sentAt.set(commandId, at)
    this.sizes.set(commandId, (this.sizes.get(commandId) ?? 0) + 1)
  }

  /**
   * The finished invocations among `active` commands (by `commandId:instanceId`) that this look lists,
   * with `instancesOf` naming each command's instances still waiting for their end.
   */
  async finished(active: string[], instancesOf: (commandId: string) => string[]): Promise<Map<string, InvocationResult>> {
    const results = new Map<string, InvocationResult>()
    if (active.length === 0) return results
    const oldest = Math.min(...active.map((id) => this.sentAt.get(id) ?? 0))
    // Everything sent since the oldest command in flight fits in one listing (by time range, see the
    // adapter): one call tells what ListCommands would, and which instances ended, without it.
    if (this.sentSince(oldest) <= ONE_PAGE) return this.listed(active, instancesOf, results, new Map())
    const since = oldest - 60_000
    const summaries = await this.deps.commands.summaries(active, since)
    const toList: string[] = []
    for (const s of summaries) {
      const seen = this.seen.get(s.commandId) ?? {ends: 0, errors: 0}
      const ends = s.completedCount + s.deliveryTimedOutCount
      if (ends <= seen.ends) continue
      if (succeededEverywhere(s)) {
        // SSM calls a command Success only once every invocation succeeded: its instances need no listing.
        this.seen.set(s.commandId, {ends, errors: s.errorCount})
        this.deferred.delete(s.commandId)
        for (const instanceId of instancesOf(s.commandId)) results.set(`${s.commandId}:${instanceId}`, {commandId: s.commandId, instanceId, status: 'Success', done: true, ok: true})
        continue
      }
      // A failure, every invocation ended (one not Success), several new ends, or one that waited a look: listed now.
      const now = s.errorCount > seen.errors || (s.targetCount > 0 && ends >= s.targetCount) || ends - seen.ends >= this.listAtOnce || (this.deferred.get(s.commandId) ?? 0) >= MAX_DEFER
      if (now) toList.push(s.commandId)
      else this.deferred.set(s.commandId, (this.deferred.get(s.commandId) ?? 0) + 1)
    }
    if (toList.length === 0) return results
    return this.listed(toList, instancesOf, results, new Map(summaries.map((s) => [s.commandId, s.errorCount])))
  }

  /** Instances of the commands sent at or after `at`, as far as this pass knows. */
  private sentSince(at: number): number {
    let count = 0
    for (const [commandId, sentAt] of this.sentAt) if (sentAt >= at) count += this.sizes.get(commandId) ?? 0
    return count
  }

  /**
   * Lists `toList`, adds the ended invocations of instances still waiting to `results` (an end seen
   * before is not told twice); what was listed is what counts as seen.
   */
  private async listed(
    toList: string[],
    instancesOf: (commandId: string) => string[],
    results: Map<string, InvocationResult>,
    errorsOf: Map<string, number>,
  ): Promise<Map<string, InvocationResult>> {
    const waiting = new Set(toList.flatMap((commandId) => instancesOf(commandId).map((instanceId) => `${commandId}:${instanceId}`)))
    // A command's counts may move before its listing shows the end (the agent's report is late, the
    // invocation not yet listed): what counts as seen is the ends the listing showed, so that a command
    // whose counts ran ahead is listed again at the next look instead of being forgotten.
    const listedEnds = new Map<string, number>(toList.map((id) => [id, 0]))
    const failed = new Set<string>()
    for (const invocation of await this.deps.commands.invocations(toList)) {
      if (!invocation.done) continue
      const key = `${invocation.commandId}:${invocation.instanceId}`
      if (waiting.has(key)) {
        results.set(key, invocation)
        if (!invocation.ok) failed.add(invocation.commandId)
      }
      listedEnds.set(invocation.commandId, (listedEnds.get(invocation.commandId) ?? 0) + 1)
    }
    // What a failed change printed is what tells people why (its error comes last): listed again with
    // the output, only for the commands with a new failure, so that a look without one pays nothing.
    if (failed.size > 0) {
      for (const invocation of await this.deps.commands.invocations([...failed], {withOutput: true})) {
        const key = `${invocation.commandId}:${invocation.instanceId}`
        const ended = results.get(key)
        if (ended && !ended.ok && invocation.output !== undefined) results.set(key, {...ended, output: invocation.output})
      }
    }
    for (const [commandId, ends] of listedEnds) {
      // Listed without its counts: no errors known, so that any error ListCommands counts later lists it at once.
      this.seen.set(commandId, {ends, errors: errorsOf.get(commandId) ?? 0})
      this.deferred.delete(commandId)
    }
    return results
  }
}

function succeededEverywhere(s: CommandSummary): boolean {
  return s.status === 'Success' && s.targetCount > 0 && s.completedCount === s.targetCount && s.errorCount === 0
}
