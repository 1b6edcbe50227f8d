import {describe, expect, it} from 'vitest'
import {createAwsClients} from '../../src/aws/index.js'

describe('createAwsClients', () => {
  it('turns the SDK retries off (withRetry retries on our clock) and keeps region and endpoint', async () => {
    const clients = createAwsClients({region: 'eu-west-1', endpoint: 'http://localhost:4566'})
    for (const client of [clients.cloudFormation, clients.autoScaling, clients.ssm]) {
      expect(await client.config.maxAttempts()).toBe(1)
      expect(await client.config.region()).toBe('eu-west-1')
      const endpoint = await client.config.endpoint?.()
      expect(endpoint?.hostname).toBe('localhost')
      expect(endpoint?.port).toBe(4566)
    }
  })

  it('leaves the endpoint to the SDK (AWS_ENDPOINT_URL, the region) when none is given', () => {
    const clients = createAwsClients({region: 'eu-west-1'})
    expect(clients.cloudFormation.config.endpoint).toBeUndefined()
  })
})
