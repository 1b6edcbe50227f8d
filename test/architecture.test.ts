/**
 * The dependency rule of docs/dev/architecture.md, checked on the import statements of every source file:
 * machines <- strategies <- app <- commands; only src/aws and src/sim import @aws-sdk; only
 * src/commands imports @oclif; nothing but src/app and tests imports src/sim.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative, resolve, dirname} from 'node:path'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '..')

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

/** Every module a file imports (static and dynamic), relative ones resolved to repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8')
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!)
  return specifiers.map((s) => (s.startsWith('.') ? relative(root, resolve(root, dirname(file), s)) : s))
}

const files = ['machines', 'strategies', 'src'].flatMap(sourceFiles)
const edges = files.flatMap((file) => importsOf(file).map((target) => ({file, target})))
const violations = (allowed: (file: string, target: string) => boolean) =>
  edges.filter(({file, target}) => !allowed(file, target)).map(({file, target}) => `${file} -> ${target}`)

describe('dependency rule', () => {
  it('machines import only xstate and each other', () => {
    expect(
      violations((file, target) => !file.startsWith('machines/') || target === 'xstate' || target.startsWith('machines/')),
    ).toEqual([])
  })

  it('strategies import only machines, ports, util and xstate', () => {
    const ok = ['machines/', 'strategies/', 'src/ports/', 'src/util/']
    expect(
      violations((file, target) => !file.startsWith('strategies/') || target === 'xstate' || ok.some((p) => target.startsWith(p))),
    ).toEqual([])
  })

  it('only src/aws and src/sim import @aws-sdk (the DynamoDB state backend is src/aws/state-store.ts)', () => {
    expect(
      violations((file, target) => !target.startsWith('@aws-sdk/') || file.startsWith('src/aws/') || file.startsWith('src/sim/')),
    ).toEqual([])
  })

  it('only src/commands imports @oclif', () => {
    expect(violations((file, target) => !target.startsWith('@oclif/') || file.startsWith('src/commands/'))).toEqual([])
  })

  it('only src/app imports the simulated account', () => {
    expect(
      violations((file, target) => !target.startsWith('src/sim') || file.startsWith('src/sim/') || file.startsWith('src/app/')),
    ).toEqual([])
  })

  it('nothing below commands imports commands or app (the arrows point one way)', () => {
    const lower = ['machines/', 'strategies/', 'src/ports/', 'src/util/', 'src/aws/', 'src/sim/', 'src/engine/', 'src/store/', 'src/config/', 'src/template/']
    expect(
      violations(
        (file, target) =>
          !lower.some((p) => file.startsWith(p)) || !(target.startsWith('src/app/') || target.startsWith('src/commands/')),
      ),
    ).toEqual([])
  })
})
