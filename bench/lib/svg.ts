/**
 * Small, dependency-free SVG charts for docs/benchmarks.md: GitHub shows SVG files embedded as images,
 * with no script and no external font. White background, so they read the same in dark mode.
 */

const FONT = "font-family='-apple-system, Segoe UI, Helvetica, Arial, sans-serif'"
export const COLORS = ['#2f6fb0', '#e0803a', '#4a9e5c', '#c2474a', '#8a6bb8', '#8c6d5a', '#d17ab5', '#7f7f7f', '#b5b83a', '#3ab5c2']

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** A "nice" axis maximum and tick step for values up to `max`. */
export function niceScale(max: number, ticks = 5): {max: number; step: number} {
  if (!(max > 0)) return {max: 1, step: 0.2}
  const raw = max / ticks
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude
  return {max: Math.ceil(max / step - 1e-9) * step, step}
}

export function formatNumber(value: number): string {
  if (value === 0) return '0'
  const abs = Math.abs(value)
  if (abs >= 10_000) return `${Math.round(value / 1000)}k`
  if (abs >= 100) return String(Math.round(value))
  if (abs >= 10) return String(Math.round(value * 10) / 10)
  if (abs >= 1) return String(Math.round(value * 100) / 100)
  return String(Math.round(value * 1000) / 1000)
}

interface Frame {
  width: number
  height: number
  left: number
  right: number
  top: number
  bottom: number
}

function open(frame: Frame, title: string, subtitle?: string): string[] {
  return [
    `<svg xmlns='http://www.w3.org/2000/svg' width='${frame.width}' height='${frame.height}' viewBox='0 0 ${frame.width} ${frame.height}' ${FONT} font-size='12'>`,
    `<rect width='100%' height='100%' fill='#ffffff'/>`,
    `<text x='${frame.width / 2}' y='20' text-anchor='middle' font-size='14' font-weight='600' fill='#222'>${esc(title)}</text>`,
    ...(subtitle ? [`<text x='${frame.width / 2}' y='37' text-anchor='middle' font-size='11' fill='#555'>${esc(subtitle)}</text>`] : []),
  ]
}

type LegendEntry = {name: string; color: string; dashed?: boolean}

/** Legend entries laid out in rows that fit the width: how many rows, and where each entry goes. */
function legendLayout(width: number, left: number, names: LegendEntry[]): {rows: number; at: {x: number; row: number}[]} {
  const at: {x: number; row: number}[] = []
  let x = left
  let row = 0
  for (const {name} of names) {
    const w = 34 + name.length * 7
    if (x + w > width - 8 && x > left) {
      row += 1
      x = left
    }
    at.push({x, row})
    x += w
  }
  return {rows: names.length ? row + 1 : 0, at}
}

const LEGEND_ROW = 18

function legend(frame: Frame, names: LegendEntry[]): string[] {
  const parts: string[] = []
  const {rows, at} = legendLayout(frame.width, frame.left, names)
  names.forEach(({name, color, dashed}, i) => {
    const {x, row} = at[i]!
    const y = frame.height - 10 - (rows - 1 - row) * LEGEND_ROW
    parts.push(
      dashed
        ? `<line x1='${x}' y1='${y - 4}' x2='${x + 14}' y2='${y - 4}' stroke='${color}' stroke-width='2' stroke-dasharray='4 3'/>`
        : `<rect x='${x}' y='${y - 10}' width='12' height='12' fill='${color}'/>`,
    )
    parts.push(`<text x='${x + 18}' y='${y}' fill='#333'>${esc(name)}</text>`)
  })
  return parts
}

/** Room below the plot: tick labels, the axis label, and the legend's rows. */
function bottomFor(width: number, left: number, names: LegendEntry[]): number {
  return 44 + Math.max(1, legendLayout(width, left, names).rows) * LEGEND_ROW
}

/** A dashed horizontal line across the plot, its label in the right margin. */
function horizontalReference(frame: Frame, y: number, r: Reference): string[] {
  const color = r.color ?? '#c2474a'
  return [
    `<line x1='${frame.left}' y1='${y}' x2='${frame.width - frame.right}' y2='${y}' stroke='${color}' stroke-width='1.5' stroke-dasharray='6 4'/>`,
    `<text x='${frame.width - frame.right + 4}' y='${y + 4}' font-size='11' fill='${color}'>${esc(r.label)}</text>`,
  ]
}

function yAxis(frame: Frame, scale: {max: number; step: number}, label: string, format = formatNumber): string[] {
  const parts: string[] = []
  const plotHeight = frame.height - frame.top - frame.bottom
  for (let v = 0; v <= scale.max + 1e-9; v += scale.step) {
    const y = frame.top + plotHeight - (v / scale.max) * plotHeight
    parts.push(`<line x1='${frame.left}' y1='${y}' x2='${frame.width - frame.right}' y2='${y}' stroke='#e5e5e5'/>`)
    parts.push(`<text x='${frame.left - 6}' y='${y + 4}' text-anchor='end' fill='#555'>${format(v)}</text>`)
  }
  const mid = frame.top + plotHeight / 2
  parts.push(`<text x='14' y='${mid}' text-anchor='middle' fill='#333' transform='rotate(-90 14 ${mid})'>${esc(label)}</text>`)
  parts.push(`<line x1='${frame.left}' y1='${frame.top + plotHeight}' x2='${frame.width - frame.right}' y2='${frame.top + plotHeight}' stroke='#888'/>`)
  return parts
}

export interface BarSeries {
  name: string
  values: (number | null)[]
  color?: string
}

export interface Reference {
  value: number
  label: string
  color?: string
}

/**
 * Vertical bars: one group per category, one bar per series (grouped), or the series piled up in one
 * bar per category (stacked). Reference values are dashed horizontal lines with their label.
 */
export function barChart(options: {
  title: string
  subtitle?: string
  categories: string[]
  series: BarSeries[]
  yLabel: string
  xLabel?: string
  stacked?: boolean
  references?: Reference[]
  width?: number
  height?: number
  labels?: boolean
  format?: (value: number) => string
}): string {
  const series = options.series.map((s, i) => ({...s, color: s.color ?? COLORS[i % COLORS.length]!}))
  const width = options.width ?? 720
  const right = options.references?.length ? 16 + 7 * Math.max(...options.references.map((r) => r.label.length)) : 16
  const bottom = bottomFor(width, 64, series)
  const frame: Frame = {width, height: (options.height ?? 300) + bottom, left: 64, right, top: options.subtitle ? 50 : 36, bottom}
  const format = options.format ?? formatNumber
  const plotWidth = frame.width - frame.left - frame.right
  const plotHeight = frame.height - frame.top - frame.bottom
  const totals = options.categories.map((_, c) =>
    options.stacked ? series.reduce((sum, s) => sum + (s.values[c] ?? 0), 0) : Math.max(0, ...series.map((s) => s.values[c] ?? 0)),
  )
  const scale = niceScale(Math.max(...totals, ...(options.references ?? []).map((r) => r.value)) * 1.08)
  const y = (v: number) => frame.top + plotHeight - (v / scale.max) * plotHeight
  const parts = [...open(frame, options.title, options.subtitle), ...yAxis(frame, scale, options.yLabel, format)]
  const groupWidth = plotWidth / options.categories.length
  const barWidth = options.stacked ? Math.min(64, groupWidth * 0.6) : Math.min(48, (groupWidth * 0.8) / series.length)
  options.categories.forEach((category, c) => {
    const center = frame.left + groupWidth * (c + 0.5)
    parts.push(`<text x='${center}' y='${frame.top + plotHeight + 16}' text-anchor='middle' fill='#333'>${esc(category)}</text>`)
    if (options.stacked) {
      let base = 0
      for (const s of series) {
        const v = s.values[c] ?? 0
        if (v <= 0) continue
        parts.push(`<rect x='${center - barWidth / 2}' y='${y(base + v)}' width='${barWidth}' height='${y(base) - y(base + v)}' fill='${s.color}'><title>${esc(`${s.name}: ${format(v)}`)}</title></rect>`)
        base += v
      }
      if (options.labels !== false && base > 0) parts.push(`<text x='${center}' y='${y(base) - 4}' text-anchor='middle' fill='#222'>${format(base)}</text>`)
    } else {
      const start = center - (barWidth * series.length) / 2
      series.forEach((s, i) => {
        const v = s.values[c]
        if (v === null || v === undefined) return
        const x = start + i * barWidth
        parts.push(`<rect x='${x + 1}' y='${y(v)}' width='${barWidth - 2}' height='${y(0) - y(v)}' fill='${s.color}'><title>${esc(`${s.name}: ${format(v)}`)}</title></rect>`)
        if (options.labels !== false) parts.push(`<text x='${x + barWidth / 2}' y='${y(v) - 4}' text-anchor='middle' font-size='10' fill='#222'>${format(v)}</text>`)
      })
    }
  })
  if (options.xLabel) parts.push(`<text x='${frame.left + plotWidth / 2}' y='${frame.top + plotHeight + 34}' text-anchor='middle' fill='#333'>${esc(options.xLabel)}</text>`)
  for (const r of options.references ?? []) parts.push(...horizontalReference(frame, y(r.value), r))
  parts.push(...legend(frame, series.map((s) => ({name: s.name, color: s.color}))))
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}

export interface LineSeries {
  name: string
  points: [number, number][]
  color?: string
  /** Labels drawn next to the points (same order). */
  pointLabels?: string[]
  dashed?: boolean
  markers?: boolean
}

/** Lines (or marked points) on linear axes starting at 0. */
export function lineChart(options: {
  title: string
  subtitle?: string
  series: LineSeries[]
  xLabel: string
  yLabel: string
  references?: Reference[]
  /** Dashed vertical lines. */
  xReferences?: Reference[]
  /** A shaded region from the origin to (x, y): where the figures should land. */
  goal?: {x: number; y: number; label: string}
  width?: number
  height?: number
  xMax?: number
  yMax?: number
}): string {
  const series = options.series.map((s, i) => ({...s, color: s.color ?? COLORS[i % COLORS.length]!}))
  const width = options.width ?? 720
  const right = options.references?.length ? 16 + 7 * Math.max(...options.references.map((r) => r.label.length)) : 24
  const bottom = bottomFor(width, 64, series)
  const frame: Frame = {width, height: (options.height ?? 300) + bottom, left: 64, right, top: options.subtitle ? 50 : 36, bottom}
  const plotWidth = frame.width - frame.left - frame.right
  const plotHeight = frame.height - frame.top - frame.bottom
  const all = series.flatMap((s) => s.points)
  const xs = niceScale(options.xMax ?? Math.max(...all.map((p) => p[0]), ...(options.xReferences ?? []).map((r) => r.value)) * 1.05)
  const ys = niceScale(options.yMax ?? Math.max(...all.map((p) => p[1]), ...(options.references ?? []).map((r) => r.value)) * 1.1)
  const x = (v: number) => frame.left + (v / xs.max) * plotWidth
  const y = (v: number) => frame.top + plotHeight - (v / ys.max) * plotHeight
  const parts = [...open(frame, options.title, options.subtitle), ...yAxis(frame, ys, options.yLabel)]
  for (let v = 0; v <= xs.max + 1e-9; v += xs.step) {
    parts.push(`<text x='${x(v)}' y='${frame.top + plotHeight + 16}' text-anchor='middle' fill='#555'>${formatNumber(v)}</text>`)
  }
  parts.push(`<text x='${frame.left + plotWidth / 2}' y='${frame.top + plotHeight + 34}' text-anchor='middle' fill='#333'>${esc(options.xLabel)}</text>`)
  if (options.goal) {
    const g = options.goal
    parts.push(`<rect x='${x(0)}' y='${y(g.y)}' width='${x(g.x) - x(0)}' height='${y(0) - y(g.y)}' fill='#4a9e5c' fill-opacity='0.12'/>`)
    parts.push(`<text x='${x(0) + 6}' y='${y(g.y / 2)}' font-size='11' fill='#2e7040'>${esc(g.label)}</text>`)
  }
  for (const r of options.references ?? []) parts.push(...horizontalReference(frame, y(r.value), r))
  for (const r of options.xReferences ?? []) {
    const color = r.color ?? '#c2474a'
    parts.push(`<line x1='${x(r.value)}' y1='${frame.top}' x2='${x(r.value)}' y2='${frame.top + plotHeight}' stroke='${color}' stroke-width='1.5' stroke-dasharray='6 4'/>`)
    parts.push(`<text x='${x(r.value) + 4}' y='${frame.top + 12}' font-size='11' fill='${color}'>${esc(r.label)}</text>`)
  }
  for (const s of series) {
    const path = s.points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ')
    parts.push(`<path d='${path}' fill='none' stroke='${s.color}' stroke-width='2'${s.dashed ? " stroke-dasharray='6 4'" : ''}/>`)
    if (s.markers) {
      s.points.forEach(([px, py], i) => {
        parts.push(`<circle cx='${x(px)}' cy='${y(py)}' r='4' fill='${s.color}'/>`)
        const label = s.pointLabels?.[i]
        if (label) parts.push(`<text x='${x(px) + 7}' y='${y(py) - 7}' font-size='11' fill='#222'>${esc(label)}</text>`)
      })
    }
  }
  parts.push(...legend(frame, series.map((s) => ({name: s.name, color: s.color, dashed: s.dashed}))))
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}

/** Horizontal bars (one per row), for a few named figures. */
export function hbarChart(options: {
  title: string
  subtitle?: string
  rows: {label: string; value: number; color?: string}[]
  xLabel: string
  references?: Reference[]
  width?: number
  format?: (value: number) => string
}): string {
  const rowHeight = 26
  const top = (options.subtitle ? 50 : 36) + (options.references?.length ? 16 : 0)
  const frame: Frame = {width: options.width ?? 720, height: top + options.rows.length * rowHeight + 48, left: 170, right: 24, top, bottom: 48}
  const format = options.format ?? formatNumber
  const plotWidth = frame.width - frame.left - frame.right
  const scale = niceScale(Math.max(...options.rows.map((r) => r.value), ...(options.references ?? []).map((r) => r.value)) * 1.12)
  const x = (v: number) => frame.left + (v / scale.max) * plotWidth
  const parts = open(frame, options.title, options.subtitle)
  const bottom = frame.top + options.rows.length * rowHeight
  for (let v = 0; v <= scale.max + 1e-9; v += scale.step) {
    parts.push(`<line x1='${x(v)}' y1='${frame.top}' x2='${x(v)}' y2='${bottom}' stroke='#e5e5e5'/>`)
    parts.push(`<text x='${x(v)}' y='${bottom + 16}' text-anchor='middle' fill='#555'>${formatNumber(v)}</text>`)
  }
  parts.push(`<text x='${frame.left + plotWidth / 2}' y='${bottom + 34}' text-anchor='middle' fill='#333'>${esc(options.xLabel)}</text>`)
  options.rows.forEach((row, i) => {
    const top = frame.top + i * rowHeight + 4
    parts.push(`<text x='${frame.left - 8}' y='${top + 13}' text-anchor='end' fill='#333'>${esc(row.label)}</text>`)
    parts.push(`<rect x='${frame.left}' y='${top}' width='${x(row.value) - frame.left}' height='${rowHeight - 8}' fill='${row.color ?? COLORS[0]}'/>`)
    parts.push(`<text x='${x(row.value) + 4}' y='${top + 13}' fill='#222'>${format(row.value)}</text>`)
  })
  for (const r of options.references ?? []) {
    const color = r.color ?? '#c2474a'
    parts.push(`<line x1='${x(r.value)}' y1='${frame.top - 4}' x2='${x(r.value)}' y2='${bottom}' stroke='${color}' stroke-width='1.5' stroke-dasharray='6 4'/>`)
    parts.push(`<text x='${x(r.value) + 4}' y='${frame.top - 6}' font-size='11' fill='${color}'>${esc(r.label)}</text>`)
  }
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}
