import {
  GetParameterCommand,
  GetParameterHistoryCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  paginateGetParameterHistory,
  PutParameterCommand,
  ValidationException,
} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {createSimClients, renderAccountView, SimAccount} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {harness, rejection, temporaryDir, type Harness} from './helpers.js'

const NAME = '/release/api/version'

const put = (h: Harness, value: string, options: {overwrite?: boolean; type?: 'String' | 'StringList'} = {}) =>
  h.clients.ssm.send(new PutParameterCommand({Name: NAME, Value: value, Type: options.type ?? 'String', Overwrite: options.overwrite}))

describe('Parameter Store', () => {
  it('puts, refuses a second put without Overwrite, overwrites with a new version, reads and lists history', async () => {
    const h = harness()
    expect(await put(h, '1.0.0')).toMatchObject({Version: 1, Tier: 'Standard'})
    const exists = await rejection(put(h, '1.0.1'))
    expect(exists).toBeInstanceOf(ParameterAlreadyExists)
    h.clock.advance(1_000)
    expect((await put(h, '1.0.1', {overwrite: true})).Version).toBe(2)
    h.clock.advance(1_000)
    expect((await put(h, '1.0.2', {overwrite: true})).Version).toBe(3)

    const got = await h.clients.ssm.send(new GetParameterCommand({Name: NAME}))
    expect(got.Parameter).toMatchObject({Name: NAME, Type: 'String', Value: '1.0.2', Version: 3, DataType: 'text'})
    expect(got.Parameter!.ARN).toBe('arn:aws:ssm:us-east-1:123456789012:parameter/release/api/version')
    const first = await h.clients.ssm.send(new GetParameterCommand({Name: `${NAME}:1`}))
    expect(first.Parameter).toMatchObject({Value: '1.0.0', Version: 1})

    const history: [string, number][] = []
    for await (const page of paginateGetParameterHistory({client: h.clients.ssm, pageSize: 2}, {Name: NAME})) {
      expect(page.Parameters!.length).toBeLessThanOrEqual(2)
      history.push(...page.Parameters!.map((p) => [p.Value!, p.Version!] as [string, number]))
    }
    expect(history).toEqual([
      ['1.0.0', 1],
      ['1.0.1', 2],
      ['1.0.2', 3],
    ])
    expect(h.account.view().parameters).toEqual([{name: NAME, value: '1.0.2', version: 3}])
    expect(renderAccountView(h.account.view())).toMatch(/PARAMETERS\n {2}NAME +VERSION +VALUE\n {2}\/release\/api\/version +3 +1\.0\.2\n/)
  })

  it('answers ParameterNotFound, and refuses bad names, types and values', async () => {
    const h = harness()
    expect(await rejection(h.clients.ssm.send(new GetParameterCommand({Name: '/nope'})))).toBeInstanceOf(ParameterNotFound)
    expect(await rejection(h.clients.ssm.send(new GetParameterHistoryCommand({Name: '/nope'})))).toBeInstanceOf(ParameterNotFound)
    const refuse = (input: ConstructorParameters<typeof PutParameterCommand>[0]) => rejection(h.clients.ssm.send(new PutParameterCommand(input)))
    expect(await refuse({Name: 'release/api', Value: 'x', Type: 'String'})).toBeInstanceOf(ValidationException)
    expect(await refuse({Name: '/aws/x', Value: 'x', Type: 'String'})).toBeInstanceOf(ValidationException)
    expect(await refuse({Name: '/x', Value: 'x'})).toBeInstanceOf(ValidationException)
    expect(await refuse({Name: '/x', Value: 'x', Type: 'SecureString'})).toBeInstanceOf(ValidationException)
    expect(await refuse({Name: '/x', Value: 'x'.repeat(4097), Type: 'String'})).toBeInstanceOf(ValidationException)
    expect(h.account.view().parameters).toEqual([])
  })

  it('is persisted with the account', async () => {
    const dir = temporaryDir()
    const first = SimAccount.open({clock: new VirtualClock(), dir})
    await createSimClients(first).ssm.send(new PutParameterCommand({Name: NAME, Value: '2.0.0', Type: 'String'}))
    const second = SimAccount.open({clock: new VirtualClock(first.lastNow), dir})
    const got = await createSimClients(second).ssm.send(new GetParameterCommand({Name: NAME}))
    expect(got.Parameter).toMatchObject({Value: '2.0.0', Version: 1})
  })
})
