import type {AutoScalingClient} from '@aws-sdk/client-auto-scaling'
import type {CloudFormationClient} from '@aws-sdk/client-cloudformation'
import type {ElasticLoadBalancingV2Client} from '@aws-sdk/client-elastic-load-balancing-v2'
import type {SSMClient} from '@aws-sdk/client-ssm'
import {sdk} from './sdk.js'

export interface AwsClients {
  cloudFormation: CloudFormationClient
  autoScaling: AutoScalingClient
  ssm: SSMClient
  elbv2: ElasticLoadBalancingV2Client
}

export interface AwsClientsOptions {
  /** Without it, the SDK resolves the region as usual (AWS_REGION, the profile...). */
  region?: string
  /** Without it, the SDK resolves endpoints as usual, AWS_ENDPOINT_URL(_<SERVICE>) included. */
  endpoint?: string
}

/**
 * Clients for real AWS. Credentials come from the SDK's standard chain. The SDK's own retries are off
 * (maxAttempts 1): the adapters retry through withRetry, whose backoff sleeps on the injected clock
 * and whose pacing is shared per service.
 */
export function createAwsClients(options: AwsClientsOptions = {}): AwsClients {
  const config = {
    maxAttempts: 1,
    ...(options.region !== undefined ? {region: options.region} : {}),
    ...(options.endpoint !== undefined ? {endpoint: options.endpoint} : {}),
  }
  return {
    cloudFormation: new (sdk.cloudFormation().CloudFormationClient)(config),
    autoScaling: new (sdk.autoScaling().AutoScalingClient)(config),
    ssm: new (sdk.ssm().SSMClient)(config),
    elbv2: new (sdk.elbv2().ElasticLoadBalancingV2Client)(config),
  }
}
