/**
 * Issue 12's poll-economy targets, judged per seed (not on the mean): the four incremental cases
 * (sliding window, default settings) and the throttled rollout. One table and one verdict per target,
 * printed by the bench and written into docs/benchmarks.md.
 */
import type {IncrementalRecord} from './incremental.js'
import {TARGETS, type ThrottleRecord} from './report.js'

/** The target cases: N=1,000 at 10% is judged against the lower bound, the others against the ideal window. */
export const TARGET_CASES = [
  {n: 1_000, maxUnavailable: 10},
  {n: 1_000, maxUnavailable: 25},
  {n: 10_000, maxUnavailable: 10},
  {n: 10_000, maxUnavailable: 25},
] as const

export interface TargetRow {
  n: number
  maxUnavailable: number
  seed: number
  callsPerInstance: number
  ratioToLowerBound: number
  toIdeal: number
  /**
   * ListCommands calls: one a full look while changes are in flight, except the looks whose commands
   * in flight fit one listing page (they list them without reading the counts).
   */
  looks: number
}

export interface Verdict {
  target: string
  /** Per seed: the figure, and whether it is within the target. */
  perSeed: {seed: number; value: number; ok: boolean}[]
  pass: boolean | null
}

type AnyRecord = {case: string}

export function targetRows(records: AnyRecord[]): TargetRow[] {
  const inc = records.filter((r): r is IncrementalRecord => r.case === 'incremental' && (r as IncrementalRecord).policy === 'sliding')
  return TARGET_CASES.flatMap(({n, maxUnavailable}) =>
    inc
      .filter((r) => r.n === n && r.maxUnavailable === maxUnavailable)
      .sort((a, b) => a.seed - b.seed)
      .map((r) => ({
        n,
        maxUnavailable,
        seed: r.seed,
        callsPerInstance: r.apiCallsPerInstance,
        ratioToLowerBound: r.ratioToLowerBound,
        toIdeal: Math.round((r.ratioToLowerBound / r.idealRatio.sliding) * 1000) / 1000,
        looks: r.callsByName['ssm:ListCommands'] ?? 0,
      })),
  )
}

export function verdicts(records: AnyRecord[]): Verdict[] {
  const rows = targetRows(records)
  const throttles = records.filter((r): r is ThrottleRecord => r.case === 'throttle')
  const out: Verdict[] = []
  const judge = (target: string, perSeed: Verdict['perSeed']) => out.push({target, perSeed, pass: perSeed.length === 0 ? null : perSeed.every((p) => p.ok)})
  for (const {n, maxUnavailable} of TARGET_CASES) {
    const cases = rows.filter((r) => r.n === n && r.maxUnavailable === maxUnavailable)
    const name = `N=${n.toLocaleString('en-US')} ${maxUnavailable}%`
    judge(`${name}: <= ${TARGETS.callsPerInstance} calls/instance`, cases.map((r) => ({seed: r.seed, value: r.callsPerInstance, ok: r.callsPerInstance <= TARGETS.callsPerInstance})))
    if (n === 1_000 && maxUnavailable === 10) judge(`${name}: <= ${TARGETS.ratioAt10}x the lower bound`, cases.map((r) => ({seed: r.seed, value: r.ratioToLowerBound, ok: r.ratioToLowerBound <= TARGETS.ratioAt10})))
    else judge(`${name}: <= ${TARGETS.toIdealWindow}x the ideal sliding window`, cases.map((r) => ({seed: r.seed, value: r.toIdeal, ok: r.toIdeal <= TARGETS.toIdealWindow})))
  }
  judge(`throttled 20%: <= ${TARGETS.throttledToCalm}x unthrottled`, throttles.map((r) => ({seed: r.seed, value: r.ratio, ok: r.ratio <= TARGETS.throttledToCalm})))
  return out
}

/** The per-seed table as markdown rows (header included). */
export function targetTable(records: AnyRecord[]): string[] {
  const rows = targetRows(records)
  if (rows.length === 0) return []
  return [
    '| case | seed | calls per instance | x lower bound | x ideal window | ListCommands |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| N=${r.n.toLocaleString('en-US')} ${r.maxUnavailable}% | ${r.seed} | ${r.callsPerInstance.toFixed(3)} | ${r.ratioToLowerBound.toFixed(3)} | ${r.toIdeal.toFixed(3)} | ${r.looks} |`),
  ]
}

export function printTargets(records: AnyRecord[]): void {
  const table = targetTable(records)
  if (table.length === 0 && !records.some((r) => r.case === 'throttle')) return
  console.log('\nissue 12 targets, per seed (default settings, sliding window):')
  for (const line of table) console.log(line)
  for (const v of verdicts(records)) {
    const figures = v.perSeed.map((p) => `seed ${p.seed} ${p.value.toFixed(3)}${p.ok ? '' : ' (over)'}`).join(', ')
    console.log(`${v.pass === null ? 'NOT RUN' : v.pass ? 'PASS' : 'FAIL'}  ${v.target}${figures ? `: ${figures}` : ''}`)
  }
}
