/** What `release env ...` prints: the table of environments, and a line per target as a copy is made. */
import type {EnvironmentView} from '../../app/environments/list.js'
import type {ReleaseHooks} from '../../app/release.js'
import {cli} from '../../util/cli-context.js'

export function environmentsText(views: EnvironmentView[], now: number): string {
  if (views.length === 0) return 'no environments: release.yml has no environments section'
  const rows = views.map((v) => [
    v.name + (v.protected ? ' (protected)' : ''),
    v.source ?? '-',
    v.owner ?? '-',
    v.ageSeconds === null ? '-' : hours(v.ageSeconds * 1000),
    v.expiresAt === null ? 'never' : v.expired ? 'EXPIRED' : `in ${hours(Date.parse(v.expiresAt) - now)}`,
    v.region,
    v.targets.map((t) => `${t.name} ${t.liveVersion ?? '-'}`).join(', ') || '-',
    String(v.instances),
    `$${v.cost.soFar.toFixed(2)} / $${v.cost.perDay.toFixed(2)} a day${v.cost.unpriced.length ? ` (unpriced: ${[...new Set(v.cost.unpriced)].join(', ')})` : ''}`,
  ])
  const head = ['ENVIRONMENT', 'SOURCE', 'OWNER', 'AGE', 'EXPIRES', 'REGION', 'TARGETS', 'INSTANCES', 'COST SO FAR / PER DAY (estimate)']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')
}

function hours(ms: number): string {
  const m = Math.max(0, Math.round(ms / 60_000))
  if (m < 60) return `${m}m`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h}h${m % 60 ? `${m % 60}m` : ''}`
  return `${Math.floor(h / 24)}d${h % 24 ? `${h % 24}h` : ''}`
}

/** One line on stderr per target release of a copy (none with --json). */
export function environmentProgress(json: boolean): ReleaseHooks {
  if (json) return {}
  return {
    onStart: (record, how) => cli().stderr.write(`${how.resumed ? 'resuming' : 'making'} ${record.target} ${record.version} (${record.id})\n`),
  }
}
