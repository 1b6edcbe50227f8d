import {AutoScalingClient} from '@aws-sdk/client-auto-scaling'
import {CloudFormationClient} from '@aws-sdk/client-cloudformation'
import {ElasticLoadBalancingV2Client} from '@aws-sdk/client-elastic-load-balancing-v2'
import {SSMClient} from '@aws-sdk/client-ssm'

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
    cloudFormation: new CloudFormationClient(config),
    autoScaling: new AutoScalingClient(config),
    ssm: new SSMClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
  }
}
