import {execFileSync} from 'node:child_process'
import {appendFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, expect, it, vi} from 'vitest'
import {EventText, followEvents, JournalTail, readEvents, selectRelease} from '../../src/app/events.js'
import type {Workspace} from '../../src/app/workspace.js'
import {appendJournal, type JournalEntry} from '../../src/engine/journal.js'
import {acquireLease, type Lease} from '../../src/engine/lease.js'
import {UserError} from '../../src/errors.js'
import {addEnvironments, openProject} from '../fakes/workspace.js'
import {openWorkspace} from '../../src/app/workspace.js'

async function running(ws: Workspace): Promise<{id: string; lease: Lease}> {
  const lease = await acquireLease(ws.store, 'web', {releaseId: ws.ledger.nextId(await ws.ledger.read('web')), ttlMs: 24 * 3_600_000, now: ws.now})
  const record = await ws.ledger.begin('web', {version: '1.0.0', strategy: 'immutable', kind: 'rollout'})
  return {id: record.id, lease}
}

async function moveTo(ws: Workspace, id: string, state: string) {
  await appendJournal(ws.store, id, {type: 'transition', state, event: 'xstate.done.actor.step', now: ws.now})
  await ws.ledger.update('web', id, {state})
}

function journalFile(dir: string, id: string) {
  return join(dir, '.release', 'releases', id, 'journal.ndjson')
}

describe('release events', () => {
  it('reads the newest release, or the one named, and refuses an id the target does not have', async () => {
    const {ws} = await openProject()
    await expect(selectRelease(ws, {target: 'web'})).rejects.toMatchObject({code: 'E_NO_RELEASE', exitCode: 2})
    const first = await running(ws)
    await moveTo(ws, first.id, 'provisioning')
    await ws.ledger.finish('web', first.id, {state: 'failed', outcome: 'failed'})
    await first.lease.release()
    await running(ws)
    expect((await readEvents(ws, {target: 'web'})).record.id).toBe('web-2')
    const named = await readEvents(ws, {target: 'web', release: 'web-1'})
    expect(named.entries.map((e) => e.state)).toEqual(['provisioning'])
    const unknown = await selectRelease(ws, {target: 'web', release: 'web-9'}).catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(UserError)
    expect(unknown).toMatchObject({code: 'E_UNKNOWN_RELEASE', exitCode: 2, hint: expect.stringMatching(/web-2, web-1/)})
  })

  // In a named environment the journal is under envs/<name>/ of the same directory, and followed the same way.
  it.each([
    ['', undefined],
    [' (a named environment)', 'staging'],
  ])('follows the journal as it grows, a line half written included, until the release ends%s', async (_, env) => {
    const project = await openProject()
    if (env !== undefined) addEnvironments(project.dir)
    const ws = env === undefined ? project.ws : await openWorkspace({configPath: join(project.dir, 'release.yml'), cwd: project.dir, env})
    const file = join(project.dir, '.release', ...(env === undefined ? [] : ['envs', env]), 'releases', env === undefined ? 'web-1' : `${env}-web-1`, 'journal.ndjson')
    // Only the bytes appended since the last look are read, whatever the environment.
    const whole = vi.spyOn(ws.store, 'read')
    const {id, lease} = await running(ws)
    await moveTo(ws, id, 'planning')
    const seen: JournalEntry[] = []
    let sleeps = 0
    const result = await followEvents(
      ws,
      {target: 'web'},
      {
        onEntry: (e) => seen.push(e),
        now: ws.now,
        sleep: async () => {
          sleeps += 1
          if (sleeps === 1) {
            await moveTo(ws, id, 'provisioning')
            // An append caught half-way: not read (nor refused) until its newline arrives.
            appendFileSync(file, '{"at":"2026-01-01T00:00:00.000Z","type":"note","releaseId":"web-1","mess')
          }
          if (sleeps === 2) appendFileSync(file, 'age":"half"}\n')
          if (sleeps === 3) {
            await moveTo(ws, id, 'rolledBack')
            await ws.ledger.finish('web', id, {state: 'rolledBack', outcome: 'rolledBack', message: 'rolled back'})
            await lease.release()
          }
        },
      },
    )
    expect(result).toMatchObject({exitCode: 3, record: {outcome: 'rolledBack'}})
    expect(seen.map((e) => `${e.type}:${e.state ?? e.message}`)).toEqual([
      'transition:planning',
      'transition:provisioning',
      'note:half',
      'transition:rolledBack',
    ])
    expect(whole.mock.calls.filter(([key]) => key.endsWith('journal.ndjson'))).toEqual([])
  })

  it('stops following a release nobody holds any more: E_INTERRUPTED, exit 1', async () => {
    const {ws} = await openProject()
    const {id, lease} = await running(ws)
    await moveTo(ws, id, 'verifying')
    const seen: JournalEntry[] = []
    const error = await followEvents(ws, {target: 'web'}, {onEntry: (e) => seen.push(e), sleep: () => lease.release().then(() => {})}).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'E_INTERRUPTED', exitCode: 1, hint: 'continue it with: release resume web'})
    expect(seen.map((e) => e.state)).toEqual(['verifying'])
  })

  it('a damaged journal line is E_STATE_CORRUPT naming file:line, read or followed', async () => {
    const {ws, dir} = await openProject()
    const {id} = await running(ws)
    await moveTo(ws, id, 'planning')
    appendFileSync(journalFile(dir, id), 'not json\n')
    const read = await readEvents(ws, {target: 'web'}).catch((e: unknown) => e)
    expect(read).toMatchObject({code: 'E_STATE_CORRUPT', exitCode: 2, message: expect.stringContaining(`${journalFile(dir, id)}:2:`)})
    const followed = await followEvents(ws, {target: 'web'}, {onEntry: () => {}, sleep: async () => {}}).catch((e: unknown) => e)
    expect(followed).toMatchObject({code: 'E_STATE_CORRUPT', exitCode: 2, message: expect.stringContaining(`${journalFile(dir, id)}:2:`)})
  })

  it('shows instance records as counts by phase, not one line each', () => {
    const lines: string[] = []
    const text = new EventText((line) => lines.push(line), 5)
    const batch = (phase: string, n: number, pass = 'forward'): JournalEntry => ({
      at: '2026-01-01T00:00:01.000Z',
      releaseId: 'api-1',
      type: 'instance',
      data: {records: Array.from({length: n}, (_, i) => ({instanceId: `i-${i}`, phase, pass, at: 0}))},
    })
    text.entry({at: '2026-01-01T00:00:00.000Z', releaseId: 'api-1', type: 'transition', state: 'rolling', event: 'xstate.done.actor.canary'})
    text.entry(batch('changing', 2))
    text.entry(batch('done', 1))
    text.entry({at: '2026-01-01T00:00:02.000Z', releaseId: 'api-1', type: 'progress', state: 'rolling', message: '3/10 done'})
    text.entry(batch('done', 6, 'restore'))
    text.end()
    expect(lines).toEqual([
      '2026-01-01T00:00:00.000Z transition rolling on xstate.done.actor.canary',
      '2026-01-01T00:00:01.000Z instance - 3 instance records (changing 2, done 1)',
      '2026-01-01T00:00:02.000Z progress rolling 3/10 done',
      '2026-01-01T00:00:01.000Z instance - 6 instance records (restore done 6)',
    ])
  })
})

describe('release events --follow in a hostile state directory', () => {
  it('refuses a link in place of the journal instead of following it', async () => {
    const {dir, ws} = await openProject()
    const {id} = await running(ws)
    const file = journalFile(dir, id)
    const secret = join(dir, 'secret.txt')
    writeFileSync(secret, '{"at":"2026-01-01T00:00:00.000Z","type":"note","message":"TOP-SECRET"}\n')
    rmSync(file, {force: true})
    mkdirSync(dirname(file), {recursive: true})
    symlinkSync(secret, file)
    const tail = new JournalTail(ws.store, id)
    await expect(tail.next()).rejects.toMatchObject({code: 'E_STATE_UNSAFE'})
  })

  it.skipIf(process.platform === 'win32')('refuses a FIFO in place of the journal', async () => {
    const {dir, ws} = await openProject()
    const {id} = await running(ws)
    const file = journalFile(dir, id)
    rmSync(file, {force: true})
    mkdirSync(dirname(file), {recursive: true})
    execFileSync('mkfifo', [file])
    await expect(new JournalTail(ws.store, id).next()).rejects.toMatchObject({code: 'E_STATE_UNSAFE'})
  })
})
