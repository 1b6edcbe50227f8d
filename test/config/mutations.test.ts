/**
 * Random mutations of the quickstart release.yml (keys dropped, renamed, retyped), from a seeded
 * PRNG: each one is either accepted or refused as a ConfigError (exit 2) whose every problem names
 * its file and line, never another exception.
 */
import {copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document} from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ConfigError, loadConfig} from '../../src/config/index.js'
import {seededRandom} from '../../src/util/random.js'

const QUICKSTART = path.resolve(import.meta.dirname, '../../examples/quickstart')
const CASES = 300
const SEED = 20261129

const VALUES: unknown[] = [0, -1, 1.5, 20001, '', 'x', '10%', '150%', '1h30m', 'nope', true, null, [], ['a'], {}, {a: 1}, [{}], '{{version}}', '*-bad']
const NAMES = ['strategy', 'template', 'fleet', 'group', 'tags', 'apply', 'canary', 'retain', 'speed', 'x', 'Web', '__proto__', 'constructor', 'toString', '1']

function mutate(doc: Document, random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const pairs: {parent: {items: unknown[]}; index: number}[] = []
  visit(doc, {
    Pair(_key, pair, path) {
      const parent = path[path.length - 1]
      if (isMap(parent)) pairs.push({parent: parent, index: parent.items.indexOf(pair)})
    },
  })
  const {parent, index} = pick(pairs)
  const pair = parent.items[index]
  if (!isPair(pair)) return 'none'
  switch (pick(['drop', 'rename', 'retype', 'retype', 'wrap'] as const)) {
    case 'drop':
      parent.items.splice(index, 1)
      return 'drop'
    case 'rename': {
      const key = pair.key
      const name = isScalar(key) ? String(key.value) : 'k'
      const typo = random() < 0.5 ? pick(NAMES) : name.slice(0, -1) + name.slice(-1).toUpperCase() + (random() < 0.5 ? 's' : '')
      pair.key = doc.createNode(typo)
      return 'rename'
    }
    case 'retype':
      pair.value = doc.createNode(pick(VALUES))
      return 'retype'
    case 'wrap':
      // The value put inside a list or a mapping: right data, wrong shape.
      pair.value = isSeq(pair.value) || random() < 0.5 ? doc.createNode({value: pair.value}) : doc.createNode([pair.value])
      return 'wrap'
  }
}

let dir: string
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'release-mutations-'))
  for (const f of ['web.yml', 'db.yml']) copyFileSync(path.join(QUICKSTART, f), path.join(dir, f))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('mutations of the quickstart release.yml', () => {
  it(`are each accepted or refused at a line, never a crash (${CASES} cases, seed ${SEED})`, async () => {
    const source = readFileSync(path.join(QUICKSTART, 'release.yml'), 'utf8')
    const random = seededRandom(SEED)
    let refused = 0
    for (let n = 0; n < CASES; n++) {
      const doc = parseDocument(source)
      const steps = 1 + Math.floor(random() * 3)
      for (let s = 0; s < steps; s++) mutate(doc, random)
      const text = doc.toString()
      writeFileSync(path.join(dir, 'release.yml'), text)
      const outcome = await loadConfig(undefined, {cwd: dir}).then(
        () => undefined,
        (e: unknown) => e,
      )
      if (outcome === undefined) continue
      refused++
      const context = `case ${n}:\n${text}\n=> ${String((outcome as Error)?.stack ?? outcome)}`
      expect(outcome, context).toBeInstanceOf(ConfigError)
      const error = outcome as ConfigError
      expect(error.exitCode, context).toBe(2)
      expect(error.hint.length, context).toBeGreaterThan(0)
      for (const problem of error.problems) {
        expect(problem.line, context).toBeGreaterThan(0)
        expect(problem.file, context).toMatch(/^(release|web|db)\.yml$/)
      }
      for (const line of error.message.split('\n')) expect(line, context).toMatch(/^(release|web|db)\.yml:\d+: \S/)
      expect(error.message, context).not.toMatch(/\n\s+at /)
    }
    // Most mutations break something: the test would prove little if they did not.
    expect(refused).toBeGreaterThan(CASES / 2)
  }, 60_000)
})
