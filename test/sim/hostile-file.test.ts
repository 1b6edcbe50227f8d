import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {execFileSync} from 'node:child_process'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {AccountFile} from '../../src/sim/store.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

function accountDir(): {dir: string; secret: string} {
  const root = mkdtempSync(join(tmpdir(), 'release-sim-hostile-'))
  dirs.push(root)
  const secret = join(root, 'secret.txt')
  writeFileSync(secret, 'TOP-SECRET-CONTENT')
  const dir = join(root, 'sim')
  mkdirSync(dir)
  return {dir, secret}
}

describe("the simulated account's file in a hostile state directory", () => {
  it('refuses a link in place of account.json, never reading or showing what it points to', () => {
    const {dir, secret} = accountDir()
    symlinkSync(secret, join(dir, 'account.json'))
    const file = new AccountFile(dir)
    let caught: unknown
    try {
      file.readIfChanged()
    } catch (error) {
      caught = error
    }
    expect(caught).toMatchObject({code: 'E_STATE_UNSAFE'})
    expect(String((caught as Error).message)).not.toContain('TOP-SECRET')
  })

  it.skipIf(process.platform === 'win32')('refuses a FIFO in place of account.json instead of hanging on it', () => {
    const {dir} = accountDir()
    execFileSync('mkfifo', [join(dir, 'account.json')])
    expect(() => new AccountFile(dir).readIfChanged()).toThrow(expect.objectContaining({code: 'E_STATE_UNSAFE'}))
  })
})
