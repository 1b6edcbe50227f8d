/**
 * A release whose caller AWS stops letting act (credentials that expire during a long rollout, a
 * permission taken away) is no failed release: its way back would be refused too. It stops where it
 * is, as after a crash, says so (exit 2, the action or the credentials named, `release resume` as the
 * next step), gives its lease back, and undoes nothing; `release resume` continues it once AWS lets
 * the caller act again. A failure of the release itself still takes the way back (other tests).
 */
import {join} from 'node:path'
import {paginateListCommands} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {simAccountSettings} from '../../src/app/account.js'
import {resume, rollout} from '../../src/app/release.js'
import {openWorkspace, type Workspace} from '../../src/app/workspace.js'
import {Journal} from '../../src/engine/journal.js'
import {UserError} from '../../src/errors.js'
import {createSimClients, SimAccount} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {copyQuickstart} from '../fakes/workspace.js'

async function quickstart(): Promise<{ws: Workspace; sim: SimAccount}> {
  const dir = copyQuickstart('release-refused-')
  const ws = await openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir})
  return {ws, sim: SimAccount.open({...simAccountSettings(ws.config), clock: new VirtualClock()})}
}

/** From the `sends`th SendCommand of the release on, the account runs `then` before each call. */
function afterSends(sim: SimAccount, sends: number, then: (service: string, command: string) => void): void {
  const handle = sim.handle.bind(sim)
  let sent = 0
  sim.handle = async (service, command, input) => {
    if (service === 'ssm' && command === 'SendCommand') sent += 1
    if (sent >= sends) then(service, command)
    return handle(service, command, input)
  }
}

function api(sim: SimAccount) {
  return sim.view().groups.find((g) => g.name === 'api-fleet')!.instances
}

/** The comments of the commands sent, in the order sent (`... to 1.0.0` would be the way back). */
async function sentComments(sim: SimAccount): Promise<string[]> {
  const comments: string[] = []
  for await (const page of paginateListCommands({client: createSimClients(sim).ssm}, {})) comments.push(...(page.Commands ?? []).map((c) => c.Comment ?? ''))
  return comments
}

async function stopped(ws: Workspace, sim: SimAccount): Promise<UserError> {
  const error = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim}).then(
    (r) => new Error(`ended ${r.outcome}: ${r.message}`),
    (e: unknown) => e as Error,
  )
  expect(error).toBeInstanceOf(UserError)
  return error as UserError
}

describe('a release whose caller AWS stops letting act', () => {
  it('a permission taken away in the middle of the window: stops where it is, undoes nothing, and resume finishes it once allowed', async () => {
    const {ws, sim} = await quickstart()
    // The role loses every Auto Scaling action after the third change is sent.
    afterSends(sim, 3, () => sim.setFaults({...sim.faults, allowActions: ['ssm:*', 'elasticloadbalancing:*', 'cloudwatch:*', 'cloudformation:*']}))

    const error = await stopped(ws, sim)
    expect(error).toMatchObject({code: 'E_AWS_ACCESS_DENIED', exitCode: 2})
    expect(error.message).toMatch(/^prod-api-1 stopped at (canary|rolling), nothing undone: AWS refused a call for lack of permission \(AccessDenied: .*autoscaling:/)
    expect(error.hint).toMatch(/grant the identity in use .*; then continue it with release resume api$/)

    // Where it stopped: the record is still in progress, the machine never took its way back.
    const record = (await ws.ledger.read('api')).releases.at(-1)!
    expect(record).toMatchObject({id: 'prod-api-1', outcome: 'inProgress'})
    const journal = await new Journal(ws.store, ws.now).read('prod-api-1')
    expect(journal.filter((e) => e.type === 'transition').map((e) => e.state)).not.toContain('rollingBack')
    // Why, for whoever resumes it.
    expect(journal.at(-1)).toMatchObject({type: 'note', message: expect.stringMatching(/^prod-api-1 stopped at \w+, nothing undone: .*autoscaling:.*; next: .*release resume api$/)})
    expect((await sentComments(sim)).filter((c) => c.endsWith('to 1.0.0'))).toEqual([])
    const outOfService = api(sim).filter((i) => i.lifecycle !== 'InService')
    expect(outOfService.length).toBeGreaterThan(0)

    // Allowed again: resume (the lease was given back, nothing to wait for) finishes the release.
    sim.setFaults({...sim.faults, allowActions: undefined})
    sim.handle = SimAccount.prototype.handle.bind(sim)
    const resumed = await resume(ws, {target: 'api'}, {}, {sim})
    expect(resumed.outcome, resumed.message).toBe('succeeded')
    expect(api(sim).map((i) => [i.lifecycle, i.version])).toEqual(api(sim).map(() => ['InService', '2.0.0']))
  })

  it('an immutable release stops the same way: its new stack is kept for the resume, not deleted', async () => {
    const {ws, sim} = await quickstart()
    const handle = sim.handle.bind(sim)
    sim.handle = async (service, command, input) => {
      const answer = await handle(service, command, input)
      // The stack is made; from then on the role may no longer touch Auto Scaling.
      if (service === 'cloudformation' && command === 'CreateStack') sim.setFaults({...sim.faults, allowActions: ['cloudformation:*', 'ssm:*', 'elasticloadbalancing:*', 'cloudwatch:*']})
      return answer
    }
    const error = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim}).then(
      (r) => new Error(`ended ${r.outcome}: ${r.message}`),
      (e: unknown) => e as Error,
    )
    expect(error).toMatchObject({code: 'E_AWS_ACCESS_DENIED', exitCode: 2, message: expect.stringMatching(/^prod-web-1 stopped at \w+, nothing undone: .*autoscaling:/)})
    expect(sim.view().stacks.map((st) => [st.name, st.status])).toEqual([['release-prod-web-1', 'CREATE_COMPLETE']])

    sim.setFaults({...sim.faults, allowActions: undefined})
    sim.handle = handle
    const resumed = await resume(ws, {target: 'web'}, {}, {sim})
    expect(resumed.outcome, resumed.message).toBe('succeeded')
  })

  it('credentials that expire during the release: the same stop, naming them', async () => {
    const {ws, sim} = await quickstart()
    let expired = false
    afterSends(sim, 2, () => (expired = true))
    const handle = sim.handle.bind(sim)
    sim.handle = async (service, command, input) => {
      const answer = await handle(service, command, input)
      // As STS-issued credentials do once their session ends: every call from then on is refused.
      if (expired) throw Object.assign(new Error('The security token included in the request is expired'), {name: 'ExpiredTokenException', $fault: 'client'})
      return answer
    }
    const error = await stopped(ws, sim)
    expect(error).toMatchObject({code: 'E_AWS_CREDENTIALS', exitCode: 2})
    expect(error.message).toMatch(/stopped at \w+, nothing undone: the AWS credentials have expired \(ExpiredTokenException/)
    expect(error.hint).toMatch(/^refresh them .*; then continue it with release resume api$/)
    expect((await ws.ledger.read('api')).releases.at(-1)?.outcome).toBe('inProgress')
  })
})
