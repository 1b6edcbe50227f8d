/** Text for releases and targets on stdout. */
import type {ReleaseView, StatusView} from '../../app/views.js'

export function statusText(status: StatusView): string {
  const lines = [`${status.target}: live ${status.liveVersion ?? '(none)'}, ${status.lastKnownGood ? `rollback returns to ${status.lastKnownGood} (last known good)` : 'nothing to roll back to'}`]
  const r = status.release
  if (r) {
    // The state says where a release stands or stopped; for a success it only repeats the outcome.
    const where = r.state === r.outcome ? '' : ` (${r.state})`
    lines.push(`  latest ${r.id}: ${r.kind} of ${r.version} (${r.strategy}) ${r.outcome}${where}, started ${r.startedAt}${r.endedAt ? `, ended ${r.endedAt}` : ''}`)
    if (r.message) lines.push(`  ${r.message}`)
    if (status.interrupted) lines.push(`  interrupted at ${r.state}: continue it with release resume ${status.target}`)
    const asked = status.abortRequested
    if (asked) {
      const then = status.interrupted ? `release resume ${status.target} takes it back` : 'it goes back at its next look'
      lines.push(`  abort requested by ${asked.by} at ${asked.at}: ${asked.reason}; ${then}`)
    }
  } else {
    lines.push('  no releases yet')
  }
  if (status.warm) {
    const {group, until, over} = status.warm
    lines.push(
      over
        ? `  ${group}: warm period over (${clockTime(until)}), run release tidy ${status.target} to scale it to zero`
        : `  ${group} warm until ${clockTime(until)}: a rollback until then is one traffic switch`,
    )
  }
  if (status.lock) {
    const lock = status.lock
    lines.push(
      lock.stale
        ? `  stale lock left by ${lock.holder} for ${lock.releaseId} (expired or holder gone); the next release takes it over`
        : `  locked by ${lock.holder} for ${lock.releaseId} since ${lock.since}, lease expires ${lock.expires}`,
    )
  }
  return lines.join('\n')
}

/** HH:MM UTC, with the date when it is not today's. */
function clockTime(iso: string, now = new Date()): string {
  const at = new Date(iso)
  const hhmm = `${at.toISOString().slice(11, 16)} UTC`
  return at.toISOString().slice(0, 10) === now.toISOString().slice(0, 10) ? hhmm : `${at.toISOString().slice(0, 10)} ${hhmm}`
}

export function historyText(target: string, releases: ReleaseView[]): string {
  if (releases.length === 0) return `${target}: no releases yet`
  const rows = releases.map((r) => [r.id, r.kind, r.version, r.outcome, r.state, r.startedAt, r.endedAt ?? ''])
  return table(['RELEASE', 'KIND', 'VERSION', 'OUTCOME', 'STATE', 'STARTED', 'ENDED'], rows)
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}
