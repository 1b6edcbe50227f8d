import {describe, expect, it} from 'vitest'
import {desiredVersionParameter} from '../../src/ports/parameters.js'
import {openWorld} from './sim.js'

describe('SsmParameters on the simulated account', () => {
  it('puts, overwrites and reads a parameter, each write a new version', async () => {
    const world = openWorld()
    const name = desiredVersionParameter('api')
    expect(await world.parameters.put(name, '1.0.0', 'desired version of api')).toBe(1)
    expect(await world.parameters.get(name)).toEqual({value: '1.0.0', version: 1})

    expect(await world.parameters.put(name, '1.0.1')).toBe(2)
    expect(await world.parameters.get(name)).toEqual({value: '1.0.1', version: 2})
  })

  it('reads a missing parameter as undefined', async () => {
    const world = openWorld()
    expect(await world.parameters.get(desiredVersionParameter('nope'))).toBeUndefined()
  })
})
