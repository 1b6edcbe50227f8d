/**
 * `release abort` of a running release, from another caller on the same state (as another process
 * would be): the running release is frozen at a chosen point (its step clock stops, as a slow step
 * would), the abort is recorded, then the release runs on and must notice it within one poll.
 */
import {describe, expect, it} from 'vitest'
import {abort, resume, rollout, type ReleaseHooks} from '../../src/app/release.js'
import type {Workspace} from '../../src/app/workspace.js'
import {releaseIdPrefix} from '../../src/engine/release-id.js'
import {readAbortRequest} from '../../src/engine/abort-request.js'
import {Ledger} from '../../src/engine/ledger.js'
import {statusOf} from '../../src/app/views.js'
import {statusText} from '../../src/commands/_render/release.js'
import {Journal} from '../../src/engine/journal.js'
import type {ProgressEvent} from '../../src/ports/release.js'
import type {Clock} from '../../src/ports/clock.js'
import {liveStacks, versionsTakingTraffic} from '../fakes/account.js'
import {notInService, openIncremental, versionCounts} from '../fakes/incremental.js'
import {openProject} from '../fakes/workspace.js'

/** Freezes the release's step clock at the first progress event that `when` picks, until `thaw`. */
function freezer(when: (event: ProgressEvent) => boolean) {
  let release: (() => void) | undefined
  let frozen: Promise<void> | undefined
  let reached: () => void = () => undefined
  const atPoint = new Promise<void>((resolve) => (reached = resolve))
  return {
    atPoint,
    thaw: () => release?.(),
    hooks: {
      onProgress: (event: ProgressEvent) => {
        if (frozen || !when(event)) return
        frozen = new Promise<void>((resolve) => (release = resolve))
        reached()
      },
    } satisfies ReleaseHooks,
    wrapClock: (clock: Clock): Clock => ({
      now: () => clock.now(),
      sleep: async (ms) => {
        await frozen
        await clock.sleep(ms)
      },
    }),
  }
}

/** The other caller: abort, releasing the frozen release once the request is recorded; no real-time sleeps. */
function abortFrom(ws: Parameters<typeof abort>[0], target: string, freeze: ReturnType<typeof freezer>, sim: unknown) {
  return abort(
    ws,
    {target, reason: 'error rate up'},
    {onAbortRequested: () => freeze.thaw(), sleep: () => new Promise((resolve) => setImmediate(resolve))},
    {sim: sim as never},
  )
}

describe('abort of a running immutable release', () => {
  it.each([
    ['provisioning', (e: ProgressEvent) => e.state === 'provisioning'],
    ['baking', (e: ProgressEvent) => e.state === 'baking'],
  ])('during %s: aborted, exit 3, the previous version live, reason and who in ledger and journal', async (step, when) => {
    const {ws, sim} = await openProject()
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const freeze = freezer(when)
    const running = rollout(ws, {target: 'web', version: '2.0.0'}, freeze.hooks, {sim, wrapClock: freeze.wrapClock})
    await freeze.atPoint
    const [ran, aborted] = await Promise.all([running, abortFrom(ws, 'web', freeze, sim)])

    expect(ran).toMatchObject({outcome: 'aborted', exitCode: 3})
    expect(aborted).toMatchObject({outcome: 'aborted', exitCode: 3})
    expect(ran.message).toMatch(/error rate up/)
    expect(ran.record.details).toMatchObject({abort: {at: step, reason: 'error rate up', by: expect.stringContaining('@')}})
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    expect(Object.keys(liveStacks(sim))).toEqual(['release-web-1'])
    expect(await statusOf(ws, 'web')).toMatchObject({liveVersion: '1.0.0', release: {id: 'web-2', outcome: 'aborted'}})
    const notes = (await new Journal(ws.store, ws.now).read('web-2')).filter((e) => e.type === 'note').map((e) => e.message)
    expect(notes).toContainEqual(expect.stringMatching(/^abort requested by .+@.+: error rate up$/))
  })

  it('past the point of return (retiring) the abort changes nothing and says so', async () => {
    const {ws, sim} = await openProject()
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const freeze = freezer((e) => e.state === 'retiring')
    const running = rollout(ws, {target: 'web', version: '2.0.0'}, freeze.hooks, {sim, wrapClock: freeze.wrapClock})
    // Retiring may not sleep at all: thaw on the first progress event anyway.
    const aborting = freeze.atPoint.then(() => abortFrom(ws, 'web', freeze, sim))
    const [ran, aborted] = await Promise.all([running, aborting])
    expect(ran.outcome).toBe('succeeded')
    expect(aborted).toMatchObject({outcome: 'succeeded', exitCode: 0})
    expect(aborted.message).toMatch(/before the abort could take it back/)
  })
})

describe('abort of a running incremental release', () => {
  it.each([
    ['the canary', 'canary', (e: ProgressEvent) => e.state === 'canary'],
    ['the middle of a window', 'rolling', (e: ProgressEvent) => e.state === 'rolling' && (e.instances?.ready ?? 0) >= 3],
    ['the bake', 'baking', (e: ProgressEvent) => e.state === 'baking'],
  ])('during %s: aborted with every instance back on the previous version', async (_what, step, when) => {
    const {ws, sim} = await openIncremental({instances: 12})
    const freeze = freezer(when)
    const running = rollout(ws, {target: 'api', version: '2.0.0'}, freeze.hooks, {sim, wrapClock: freeze.wrapClock})
    await freeze.atPoint
    const [ran, aborted] = await Promise.all([running, abortFrom(ws, 'api', freeze, sim)])
    expect(ran, ran.message).toMatchObject({outcome: 'aborted', exitCode: 3, record: {details: {abort: {at: step, reason: 'error rate up'}}}})
    expect(aborted.outcome).toBe('aborted')
    expect(versionCounts(sim)).toEqual({'1.0.0': 12})
    expect(notInService(sim)).toEqual([])
    expect(sim.view().parameters).toContainEqual(expect.objectContaining({name: '/release/api/version', value: '1.0.0'}))
  })
})

/** Every Run Command invocation the account ran, with its version and times (from the account's own record). */
async function invocationTimeline(sim: {handle(service: 'ssm', name: string, input: unknown): Promise<any>}) {
  const rows: {instanceId: string; version: string; status: string; start?: number; end?: number}[] = []
  const {Commands} = await sim.handle('ssm', 'ListCommands', {MaxResults: 50})
  for (const command of Commands as {CommandId: string; InstanceIds: string[]; Parameters: Record<string, string[]>}[]) {
    const version = /set-version (\S+)/.exec((command.Parameters['commands'] ?? []).join('\n'))?.[1]
    if (version === undefined) continue
    for (const instanceId of command.InstanceIds) {
      const out = await sim.handle('ssm', 'GetCommandInvocation', {CommandId: command.CommandId, InstanceId: instanceId})
      const at = (s: string) => (s ? Date.parse(s) : undefined)
      rows.push({instanceId, version, status: out.Status, start: at(out.ExecutionStartDateTime), end: at(out.ExecutionEndDateTime)})
    }
  }
  return rows
}

describe('abort of an incremental release with commands in flight', () => {
  it('cancels them and waits: no instance is restored while its forward command still runs', async () => {
    const {ws, sim} = await openIncremental({instances: 12, commandLatency: {medianMs: 90_000, p95Ms: 120_000}, maxUnavailable: '50%'})
    // The third tick of the rolling step: the window's instances reached Standby and were sent the change.
    let ticks = 0
    const freeze = freezer((e) => e.state === 'rolling' && ++ticks === 3)
    const running = rollout(ws, {target: 'api', version: '2.0.0'}, freeze.hooks, {sim, wrapClock: freeze.wrapClock})
    await freeze.atPoint
    const [ran] = await Promise.all([running, abortFrom(ws, 'api', freeze, sim)])
    expect(ran, ran.message).toMatchObject({outcome: 'aborted', exitCode: 3})
    expect(versionCounts(sim)).toEqual({'1.0.0': 12})

    const timeline = await invocationTimeline(sim)
    const forward = timeline.filter((r) => r.version === '2.0.0')
    const back = timeline.filter((r) => r.version === '1.0.0')
    // The abort did land with forward commands running: some were cancelled.
    expect(forward.map((r) => r.status)).toContain('Cancelled')
    for (const restore of back) {
      for (const f of forward.filter((r) => r.instanceId === restore.instanceId)) {
        const forwardEnd = f.end ?? Number.POSITIVE_INFINITY
        expect(forwardEnd, `${restore.instanceId}: restore started while its forward command ran`).toBeLessThanOrEqual(restore.start ?? 0)
      }
    }
  })
})

/**
 * The workspace on a wall clock the test moves: abort's wait and the lease's expiry are judged on it, so
 * minutes of waiting pass without sleeping.
 */
function onTestWall(ws: Workspace) {
  let wall = Date.now()
  const now = () => wall
  return {
    ws: {...ws, now, ledger: new Ledger(ws.store, now, releaseIdPrefix(ws.config))} satisfies Workspace,
    advance: (ms: number) => void (wall += ms),
    now,
    /** abort's sleep between looks: the wall moves, real time does not. */
    sleep: async (ms: number) => {
      wall += ms
      await new Promise((resolve) => setImmediate(resolve))
    },
  }
}

/** web 1.0.0 live, then a rollout of 2.0.0 frozen in its 30-minute bake, on a wall clock the test moves. */
async function frozenInBake() {
  const {ws: plain, sim} = await openProject({bake: '30m'})
  const wall = onTestWall(plain)
  const ws = wall.ws
  await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
  const freeze = freezer((e) => e.state === 'baking')
  const running = rollout(ws, {target: 'web', version: '2.0.0'}, freeze.hooks, {sim, wrapClock: freeze.wrapClock})
  await freeze.atPoint
  return {ws, sim, wall, freeze, running}
}

describe('abort of a running release that does not end within --wait', () => {
  it('a process that never looks: exit 5 (E_ABORT_PENDING) after the wait, the request kept; the process goes back once it looks', async () => {
    const {ws, sim, wall, freeze, running} = await frozenInBake()

    const began = wall.now()
    const refused = await abort(ws, {target: 'web', reason: 'error rate up', waitMs: 2 * 60_000}, {sleep: wall.sleep}, {sim}).catch((e: unknown) => e)
    expect(refused).toMatchObject({code: 'E_ABORT_PENDING', exitCode: 5})
    expect((refused as Error).message).toMatch(/^the abort of web-2 is recorded, but the process running it \(.+@.+ pid \d+, lease until .+\) did not act on it within 2m: it is still at baking/)
    expect((refused as {hint: string}).hint).toMatch(/release resume web carries the abort out/)
    // It waited the whole bound on the test's wall, and no longer.
    expect(wall.now() - began).toBeGreaterThanOrEqual(2 * 60_000)
    expect(wall.now() - began).toBeLessThan(2 * 60_000 + 5_000)
    expect(await readAbortRequest(ws.store, 'web-2')).toMatchObject({reason: 'error rate up'})
    // status shows the request still pending, to anyone (a CI stage gating on it, the next person).
    expect(await statusOf(ws, 'web')).toMatchObject({
      liveVersion: '1.0.0',
      release: {id: 'web-2', outcome: 'inProgress', state: 'baking'},
      abortRequested: {reason: 'error rate up', by: expect.stringContaining('@')},
    })
    expect(statusText(await statusOf(ws, 'web'))).toMatch(/\n {2}abort requested by .+@.+ at .+: error rate up; it goes back at its next look/)

    // The running process looks at last: the request it finds is the one recorded.
    freeze.thaw()
    const ran = await running
    expect(ran, ran.message).toMatchObject({outcome: 'aborted', exitCode: 3, record: {details: {abort: {at: 'baking', reason: 'error rate up'}}}})
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    // Ended: nothing is pending any more.
    expect((await statusOf(ws, 'web')).abortRequested).toBeNull()
  })

  it('a process that began going back but has not ended: exit 5 saying so', async () => {
    const {ws: plain, sim} = await openProject({bake: '30m'})
    const wall = onTestWall(plain)
    const ws = wall.ws
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const atBake = freezer((e) => e.state === 'baking')
    const onTheWayBack = freezer((e) => e.state === 'revertingTraffic')
    const hooks: ReleaseHooks = {onProgress: (e) => (atBake.hooks.onProgress(e), onTheWayBack.hooks.onProgress(e))}
    const running = rollout(ws, {target: 'web', version: '2.0.0'}, hooks, {sim, wrapClock: (c) => onTheWayBack.wrapClock(atBake.wrapClock(c))})
    await atBake.atPoint
    const refused = await abort(ws, {target: 'web', reason: 'error rate up', waitMs: 2 * 60_000}, {onAbortRequested: () => atBake.thaw(), sleep: wall.sleep}, {sim}).catch((e: unknown) => e)
    expect(refused).toMatchObject({code: 'E_ABORT_PENDING', exitCode: 5})
    expect((refused as Error).message).toMatch(/^web-2 is going back after the abort \(seen at baking\), and had not ended within 2m: it is at revertingTraffic/)
    onTheWayBack.thaw()
    expect(await running).toMatchObject({outcome: 'aborted'})
  })

  it('a process that stops renewing its lease: a later resume carries the recorded abort out, the old process writes nothing more', async () => {
    const {ws, sim, wall, freeze, running} = await frozenInBake()
    await expect(abort(ws, {target: 'web', reason: 'error rate up', waitMs: 60_000}, {sleep: wall.sleep}, {sim})).rejects.toMatchObject({code: 'E_ABORT_PENDING'})

    // The frozen process renews nothing: past its lease, release resume takes the release over.
    wall.advance(6 * 60_000)
    const resumed = await resume(ws, {target: 'web'}, {}, {sim})
    expect(resumed, resumed.message).toMatchObject({outcome: 'aborted', exitCode: 3, record: {details: {abort: {reason: 'error rate up', by: expect.stringContaining('@')}}}})
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    expect(Object.keys(liveStacks(sim))).toEqual(['release-web-1'])

    freeze.thaw()
    await expect(running).rejects.toMatchObject({code: 'E_LEASE_LOST'})
    expect(await statusOf(ws, 'web')).toMatchObject({liveVersion: '1.0.0', release: {id: 'web-2', outcome: 'aborted'}})
  })
})
