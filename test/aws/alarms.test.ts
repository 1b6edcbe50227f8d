import {describe, expect, it} from 'vitest'
import {CloudWatchAlarms} from '../../src/aws/index.js'
import {SimAccount, simLazyClients} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'

describe('CloudWatch alarms adapter on the simulated account', () => {
  it('reads 150 alarms in two DescribeAlarms calls (100 names a call) and names the missing ones', async () => {
    const clock = new VirtualClock()
    const names = Array.from({length: 150}, (_, i) => `alarm-${String(i).padStart(3, '0')}`)
    const sim = SimAccount.open({clock, alarms: Object.fromEntries(names.map((n) => [n, {groups: ['g']}]))})
    const alarms = new CloudWatchAlarms({client: simLazyClients(sim).cloudWatch, clock})
    const {found, missing} = await alarms.describeAlarms([...names, 'not-there'])
    expect(found).toHaveLength(150)
    expect(found[0]).toMatchObject({name: 'alarm-000', state: 'OK', since: new Date(clock.now()).toISOString()})
    expect(missing).toEqual(['not-there'])
    expect(sim.metrics().calls['cloudwatch:DescribeAlarms']).toBe(2)
  })

  it('sees a state set with SetAlarmState, with its reason and time', async () => {
    const clock = new VirtualClock()
    const sim = SimAccount.open({clock, alarms: {'web-5xx': {trafficSources: []}}})
    await sim.handle('cloudwatch', 'SetAlarmState', {AlarmName: 'web-5xx', StateValue: 'ALARM', StateReason: 'errors'})
    const {found} = await new CloudWatchAlarms({client: simLazyClients(sim).cloudWatch, clock}).describeAlarms(['web-5xx'])
    expect(found).toEqual([{name: 'web-5xx', state: 'ALARM', reason: 'errors', since: new Date(clock.now()).toISOString()}])
    await expect(sim.handle('cloudwatch', 'SetAlarmState', {AlarmName: 'nope', StateValue: 'ALARM', StateReason: 'x'})).rejects.toMatchObject({name: 'ResourceNotFound'})
  })
})
