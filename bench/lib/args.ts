/** `--name value` and `--flag` arguments of the benchmark scripts. */
export function flag(name: string, argv: string[] = process.argv): boolean {
  return argv.includes(`--${name}`)
}

export function option(name: string, argv: string[] = process.argv): string | undefined {
  const at = argv.indexOf(`--${name}`)
  return at >= 0 ? argv[at + 1] : undefined
}

export function numberOption(name: string, fallback?: number, argv: string[] = process.argv): number {
  const text = option(name, argv)
  if (text === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required`)
    return fallback
  }
  const value = Number(text)
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got ${text}`)
  return value
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits
