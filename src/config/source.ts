/**
 * release.yml as plain data for the schema, with the line of every key and value kept aside, so that
 * a refusal of the value at any path points at its line.
 */
import {isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node} from 'yaml'
import type {ConfigProblem} from './errors.js'

export type Key = string | number

export interface Spot {
  /** Line of the key (of the item, in a list). */
  keyLine: number
  /** Line of the value; of the key when the value is empty. */
  valueLine: number
  /** null when written empty. */
  node: Node | null
}

const join = (keys: readonly Key[]) => keys.join('\u0000')

export class YamlSource {
  private readonly spots = new Map<string, Spot>()
  /** Keys that are not plain names: reported with the schema's problems. */
  readonly problems: ConfigProblem[] = []
  readonly data: unknown

  constructor(
    readonly display: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {
    const root = this.resolve(doc.contents)
    const line = this.lineOf(root) ?? 1
    this.data = this.plain(root, [], line, line)
  }

  spot(keys: readonly Key[]): Spot | undefined {
    return this.spots.get(join(keys))
  }

  /** The spot of `keys`, else of its nearest ancestor that is written. */
  nearest(keys: readonly Key[]): Spot {
    for (let n = keys.length; n >= 0; n--) {
      const spot = this.spot(keys.slice(0, n))
      if (spot) return spot
    }
    return {keyLine: 1, valueLine: 1, node: null}
  }

  lineOf(node: unknown): number | undefined {
    const range = (node as {range?: [number, number, number] | null} | null | undefined)?.range
    return range ? this.lines.linePos(range[0]).line : undefined
  }

  /** Follows aliases; an empty value (`key:` or `~`) is null. */
  private resolve(node: unknown): Node | null {
    let current = node as Node | null | undefined
    for (let hops = 0; current && isAlias(current) && hops < 100; hops++) current = current.resolve(this.doc)
    if (!current || isAlias(current)) return null
    if (isScalar(current) && current.value === null) return null
    return current
  }

  private plain(node: Node | null, keys: Key[], keyLine: number, valueLine: number): unknown {
    this.spots.set(join(keys), {keyLine, valueLine, node})
    if (!node) return null
    if (isMap(node)) {
      const out: Record<string, unknown> = {}
      for (const pair of node.items) {
        const keyNode = this.resolve(pair.key)
        const line = this.lineOf(pair.key) ?? this.lineOf(node) ?? keyLine
        if (!keyNode || !isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
          const where = keys.length === 0 ? 'at the top level' : `in ${dotted(keys)}`
          this.problems.push({file: this.display, line, problem: `expected a plain key ${where}, got ${describe(keyNode)}`, hint: 'Use simple names as keys.'})
          continue
        }
        const name = String(keyNode.value)
        const value = this.resolve(pair.value)
        // defineProperty: a key such as __proto__ is data here, never the object's prototype.
        Object.defineProperty(out, name, {value: this.plain(value, [...keys, name], line, this.lineOf(value) ?? line), enumerable: true, writable: true, configurable: true})
      }
      return out
    }
    if (isSeq(node)) {
      return node.items.map((item, index) => {
        const value = this.resolve(item)
        const line = this.lineOf(value) ?? this.lineOf(item) ?? valueLine
        return this.plain(value, [...keys, index], line, line)
      })
    }
    if (isScalar(node)) return node.value
    return undefined
  }
}

/** targets.web.trafficSources[1] */
export function dotted(keys: readonly Key[]): string {
  return keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('')
}

/** A value as written, for "got ...". */
export function describe(node: Node | null | undefined): string {
  if (!node) return 'nothing'
  if (isMap(node)) return 'a mapping'
  if (isSeq(node)) return 'a list'
  if (isScalar(node)) {
    const v = node.value
    if (typeof v === 'string') return v === '' ? 'an empty string' : `the string ${JSON.stringify(v)}`
    if (typeof v === 'number') return `the number ${node.source ?? String(v)}`
    if (typeof v === 'boolean') return `${v}`
    return JSON.stringify(v) ?? String(v)
  }
  return 'an unsupported value'
}
