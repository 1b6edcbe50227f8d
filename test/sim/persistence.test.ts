import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {describe, expect, it} from 'vitest'
import {createSimClients, renderAccountView, SimAccount, UnsupportedCommandError} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {createStack, harness, rejection, temporaryDir, waitFor, waitForStatus, type Harness} from './helpers.js'

function openOn(dir: string, clock = new VirtualClock()): Harness {
  const account = SimAccount.open({clock, dir, seed: 9})
  return {clock, account, clients: createSimClients(account)}
}

describe('persistence', () => {
  it('continues the account in a second SimAccount opened on the same dir', async () => {
    const dir = temporaryDir()
    const first = openOn(dir)
    expect(existsSync(join(dir, 'account.json'))).toBe(true)
    await createStack(first, 'web-v1', '1.0.0')
    first.clock.advance(5_000)
    await first.clients.cloudFormation.send(new DescribeStacksCommand({}))
    const saved = JSON.parse(readFileSync(join(dir, 'account.json'), 'utf8')) as {now: number; stacks: unknown[]}
    expect(saved.stacks).toHaveLength(1)
    expect(typeof saved.now).toBe('number')

    // A new process starts its clock where the account left off.
    const reopened = SimAccount.open({clock: new VirtualClock(), dir})
    expect(reopened.lastNow).toBe(first.clock.now())
    const second = openOn(dir, new VirtualClock(reopened.lastNow))
    await waitForStatus(second, 'web-v1', 'CREATE_COMPLETE')
    expect(second.account.view().groups[0]!.instances).toHaveLength(2)
  })

  it('never loses changes when two accounts on the same dir interleave calls', async () => {
    const dir = temporaryDir()
    const clock = new VirtualClock()
    const a = openOn(dir, clock)
    const b = openOn(dir, clock)
    await Promise.all([
      createStack(a, 'web-a', '1.0.0', {token: 'a'}),
      createStack(b, 'web-b', '1.0.0', {token: 'b'}),
      createStack(a, 'web-c', '1.0.0', {token: 'c'}),
    ])
    await createStack(b, 'web-d', '1.0.0', {token: 'd'})
    clock.advance(60_000)
    const names = (await a.clients.cloudFormation.send(new DescribeStacksCommand({}))).Stacks!.map((s) => s.StackName).sort()
    expect(names).toEqual(['web-a', 'web-b', 'web-c', 'web-d'])
    expect(b.account.view().stacks.every((stack) => stack.status === 'CREATE_COMPLETE')).toBe(true)
    // Faults set through one are seen by the other.
    a.account.setFaults({unhealthyVersions: ['x']})
    expect(b.account.faults).toEqual({unhealthyVersions: ['x']})
    expect(existsSync(join(dir, 'account.lock'))).toBe(false)
  })

  it('refuses a corrupted account.json, naming the file, and leaves it as it is', () => {
    const dir = temporaryDir()
    const file = join(dir, 'account.json')
    writeFileSync(file, '{"format": 1, "stacks": [')
    expect(() => SimAccount.open({clock: new VirtualClock(), dir})).toThrow(file)
    expect(readFileSync(file, 'utf8')).toBe('{"format": 1, "stacks": [')
    writeFileSync(file, '{"hello": "world"}')
    expect(() => SimAccount.open({clock: new VirtualClock(), dir})).toThrow(/is corrupted/)
  })

  it('waits for a lock held by another live process', async () => {
    const dir = temporaryDir()
    const h = openOn(dir)
    const lock = join(dir, 'account.lock')
    const released = join(dir, 'released')
    // Another process holds the lock until the test tells it to let go (a line on its stdin): no
    // real time decides the order, the lock does.
    const holder = spawn(process.execPath, [
      '-e',
      `const fs = require('node:fs')
       const fd = fs.openSync(${JSON.stringify(lock)}, 'wx')
       fs.writeSync(fd, JSON.stringify({pid: process.pid, owner: 'other', at: Date.now()}))
       fs.closeSync(fd)
       console.log('locked')
       process.stdin.once('data', () => { fs.writeFileSync(${JSON.stringify(released)}, 'yes'); fs.unlinkSync(${JSON.stringify(lock)}); process.exit(0) })`,
    ])
    const exited = once(holder, 'exit')
    await once(holder.stdout, 'data')
    let answered = false
    const call = h.clients.cloudFormation.send(new DescribeStacksCommand({})).then(() => (answered = true))
    // An unlocked account answers within a turn of the event loop; this one must still be waiting.
    for (let turn = 0; turn < 20; turn++) await new Promise((next) => setImmediate(next))
    expect(answered).toBe(false)
    holder.stdin.write('go\n')
    await call
    expect(existsSync(released)).toBe(true)
    await exited
  })

  it('takes over a lock left by a process that is gone', async () => {
    const dir = temporaryDir()
    const h = openOn(dir)
    writeFileSync(join(dir, 'account.lock'), JSON.stringify({pid: 2 ** 22 + 12345, owner: 'dead', at: Date.now()}))
    await h.clients.cloudFormation.send(new DescribeStacksCommand({}))
    expect(existsSync(join(dir, 'account.lock'))).toBe(false)
  })
})

describe('account basics', () => {
  it('names unsupported commands', async () => {
    const h = harness()
    const {CreateChangeSetCommand} = await import('@aws-sdk/client-cloudformation')
    const error = await rejection(h.clients.cloudFormation.send(new CreateChangeSetCommand({StackName: 'x', ChangeSetName: 'y'})))
    expect(error).toBeInstanceOf(UnsupportedCommandError)
    expect(error.message).toMatch(/does not support CloudFormation CreateChangeSet/)
  })

  it('never moves time backwards', async () => {
    const h = harness()
    h.clock.advance(10_000)
    await h.clients.cloudFormation.send(new DescribeStacksCommand({}))
    const late = h.account.lastNow
    const behind = SimAccount.open({clock: new VirtualClock(), seed: 1})
    expect(behind.lastNow).toBeLessThan(late)
    expect(h.account.lastNow).toBe(late)
  })

  it('renders the account for `release sim show`', async () => {
    const h = harness()
    await createStack(h, 'web-v1', '1.0.0', {capacity: 2})
    await waitFor(h, async () => h.account.view().groups[0]?.instances.every((i) => i.lifecycle === 'InService'))
    const text = renderAccountView(h.account.view())
    expect(text).toContain('STACKS')
    expect(text).toMatch(/web-v1\s+CREATE_COMPLETE\s+1\.0\.0/)
    expect(text).toMatch(/i-[0-9a-f]{17}\s+1\.0\.0\s+InService\s+Healthy\s+Online/)
    expect(text).toContain('TRAFFIC SOURCES')
  })

  it('creates a 10-instance stack and brings it into service quickly', {timeout: 1_000}, async () => {
    const h = harness()
    await createStack(h, 'big', '1.0.0', {capacity: 10})
    await waitForStatus(h, 'big', 'CREATE_COMPLETE')
    await waitFor(h, async () => {
      const group = h.account.view().groups[0]!
      return group.instances.length === 10 && group.instances.every((i) => i.lifecycle === 'InService' && i.health === 'Healthy')
    })
  })

  it('is deterministic for a seed', async () => {
    const run = async () => {
      const h = harness({seed: 1234})
      await createStack(h, 'web-v1', '1.0.0', {capacity: 3})
      h.clock.advance(120_000)
      return h.account.view()
    }
    expect(await run()).toEqual(await run())
  })
})
