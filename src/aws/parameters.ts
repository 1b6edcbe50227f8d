import type {SSMClient} from '@aws-sdk/client-ssm'
import type {Clock} from '../ports/clock.js'
import type {ParameterPort, ParameterValue} from '../ports/parameters.js'
import {type AdapterRetryOptions, errorName, retryingClient} from './retrying.js'
import {sdk} from './sdk.js'

const {GetParameterCommand, PutParameterCommand} = sdk.ssm()

export interface SsmParametersOptions {
  client: SSMClient
  clock: Clock
  /**
   * Backoff and adaptive pacing of the Parameter Store calls. By default a budget of its own: Parameter
   * Store is throttled apart from Run Command, so pacing one must not slow the other.
   */
  retry?: AdapterRetryOptions
}

export class SsmParameters implements ParameterPort {
  private readonly ssm: SSMClient

  constructor(options: SsmParametersOptions) {
    this.ssm = retryingClient(options.client, options.clock, 'ssm-parameters', options.retry)
  }

  async put(name: string, value: string, description?: string): Promise<number> {
    const out = await this.ssm.send(
      new PutParameterCommand({
        Name: name,
        Value: value,
        Type: 'String',
        Overwrite: true,
        ...(description !== undefined ? {Description: description} : {}),
      }),
    )
    if (out.Version === undefined) throw new Error(`PutParameter ${name} answered without a version`)
    return out.Version
  }

  async get(name: string): Promise<ParameterValue | undefined> {
    try {
      const out = await this.ssm.send(new GetParameterCommand({Name: name}))
      const parameter = out.Parameter
      if (parameter?.Value === undefined || parameter.Version === undefined) return undefined
      return {value: parameter.Value, version: parameter.Version}
    } catch (error) {
      if (errorName(error) === 'ParameterNotFound') return undefined
      throw error
    }
  }
}
