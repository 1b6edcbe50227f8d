/**
 * The dependency rule of docs/dev/architecture.md is enforced by ESLint (eslint.config.js, run by
 * `npm run lint` inside `npm test`). These tests prove each rule catches a violating import, static
 * and dynamic, by linting small snippets placed in the layer that must not make them.
 */
import {resolve} from 'node:path'
import {ESLint} from 'eslint'
import tseslint from 'typescript-eslint'
import {describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '..')
// Type information is not needed for import rules, and the snippets are not in tsconfig.json.
const eslint = new ESLint({cwd: root, overrideConfig: [{files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked}]})

/** The import rules a snippet, placed at `file`, breaks. */
async function broken(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, {filePath: resolve(root, file)})
  return result!.messages.map((m) => m.ruleId ?? 'parse').filter((r) => !r.startsWith('@typescript-eslint/'))
}

describe('dependency rule (eslint.config.js)', () => {
  it('machines import only xstate and each other', async () => {
    expect(await broken('machines/probe.ts', `import {readFile} from 'node:fs/promises'\nvoid readFile`)).toEqual(['no-restricted-imports'])
    expect(await broken('machines/probe.ts', `import {sleep} from '../src/util/clock.js'\nvoid sleep`)).toEqual(['import-x/no-restricted-paths'])
    expect(await broken('machines/probe.ts', `import {setup} from 'xstate'\nimport {notProvided} from './common.js'\nvoid setup, notProvided`)).toEqual([])
  })

  it('strategies import only machines, ports, util and xstate', async () => {
    expect(await broken('strategies/probe.ts', `import {UserError} from '../src/errors.js'\nvoid UserError`)).toEqual(['import-x/no-restricted-paths'])
    expect(await broken('strategies/probe.ts', `import {a} from '../src/engine/ledger.js'\nvoid a`)).toEqual(['import-x/no-restricted-paths'])
    expect(await broken('strategies/probe.ts', `import {a} from 'yaml'\nvoid a`)).toEqual(['no-restricted-imports'])
    expect(await broken('strategies/probe.ts', `import type {FleetPort} from '../src/ports/fleet.js'\nimport {a} from '../src/util/retry.js'\nimport {b} from '../machines/immutable.js'\nexport type T = FleetPort\nvoid a, b`)).toEqual([])
  })

  it('only src/aws and src/sim import @aws-sdk', async () => {
    const sdk = `import {SSMClient} from '@aws-sdk/client-ssm'\nvoid SSMClient`
    expect(await broken('src/app/probe.ts', sdk)).toEqual(['no-restricted-imports'])
    expect(await broken('src/commands/probe.ts', sdk)).toEqual(['no-restricted-imports'])
    expect(await broken('src/engine/probe.ts', `export const f = () => import('@aws-sdk/client-ssm')`)).toEqual(['no-restricted-syntax'])
    // Loaded by require, as src/aws/sdk.ts does.
    const required = `import {createRequire} from 'node:module'\nexport const f = () => createRequire(import.meta.url)('@aws-sdk/client-ssm')`
    expect(await broken('src/app/probe.ts', required)).toEqual(['no-restricted-syntax'])
    expect(await broken('src/aws/probe.ts', required)).toEqual([])
    // A require bound to a name hides what it loads: only src/aws/sdk.ts may bind one.
    const bound = `import {createRequire} from 'node:module'\nconst load = createRequire(import.meta.url)\nexport const f = () => load('@aws-sdk/client-ssm')`
    expect(await broken('src/app/probe.ts', bound)).toEqual(['no-restricted-syntax'])
    expect(await broken('src/aws/probe.ts', bound)).toEqual(['no-restricted-syntax'])
    // A call with a word that is no package (a step's name) is not a load.
    expect(await broken('machines/probe.ts', `const step = (name: string) => name\nexport const f = () => step('plan')`)).toEqual([])
    expect(await broken('machines/probe.ts', `export const f = () => import('node:fs')`)).toEqual(['no-restricted-syntax'])
    expect(await broken('src/aws/probe.ts', sdk)).toEqual([])
    expect(await broken('src/sim/probe.ts', sdk)).toEqual([])
  })

  it('only src/commands imports @oclif', async () => {
    const oclif = `import {Command} from '@oclif/core'\nvoid Command`
    expect(await broken('src/app/probe.ts', oclif)).toEqual(['no-restricted-imports'])
    expect(await broken('src/commands/probe.ts', oclif)).toEqual([])
  })

  it('only src/app imports the simulated account', async () => {
    const sim = `import {a} from '../sim/account.js'\nvoid a`
    expect(await broken('src/engine/probe.ts', sim)).toEqual(['import-x/no-restricted-paths'])
    expect(await broken('src/app/probe.ts', sim)).toEqual([])
  })

  it('the arrows point one way: nothing below app imports app or commands, app never imports commands', async () => {
    expect(await broken('src/engine/probe.ts', `import {a} from '../app/release.js'\nvoid a`)).toEqual(['import-x/no-restricted-paths'])
    expect(await broken('src/store/probe.ts', `export const f = () => import('../commands/rollout.js')`)).toEqual(['import-x/no-restricted-paths'])
    expect(await broken('src/app/probe.ts', `import {a} from '../commands/_base.js'\nvoid a`)).toEqual(['import-x/no-restricted-paths'])
    expect(await broken('src/commands/probe.ts', `export const f = () => import('../app/release.js')`)).toEqual([])
  })

  it('every package src imports at run time is a dependency in package.json', async () => {
    expect(await broken('src/app/probe.ts', `import {Ajv} from 'ajv'\nvoid Ajv`)).toEqual(['import-x/no-extraneous-dependencies'])
    expect(await broken('src/sim/probe.ts', `import type {MiddlewareStack} from '@aws-sdk/types'\nexport type T = MiddlewareStack<object, object>`)).toEqual([])
  })
})
