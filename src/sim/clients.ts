import type {AutoScalingClient} from '@aws-sdk/client-auto-scaling'
import type {CloudFormationClient} from '@aws-sdk/client-cloudformation'
import type {ElasticLoadBalancingV2Client} from '@aws-sdk/client-elastic-load-balancing-v2'
import type {SSMClient} from '@aws-sdk/client-ssm'
import {sdk} from '../aws/sdk.js'
import type {SimAccount} from './account.js'
import {installSimulatedAccount} from './middleware.js'

export interface SimClients {
  cloudFormation: CloudFormationClient
  autoScaling: AutoScalingClient
  ssm: SSMClient
  elbv2: ElasticLoadBalancingV2Client
}

/** Real SDK clients answered by the simulated account: no network, no credential chain, no SDK retries. */
export function createSimClients(account: SimAccount): SimClients {
  const config = {
    region: account.region,
    maxAttempts: 1,
    credentials: {accessKeyId: 'ASIASIMULATED0000000', secretAccessKey: 'simulated-secret-access-key'},
  }
  const clients: SimClients = {
    cloudFormation: new (sdk.cloudFormation().CloudFormationClient)(config),
    autoScaling: new (sdk.autoScaling().AutoScalingClient)(config),
    ssm: new (sdk.ssm().SSMClient)(config),
    elbv2: new (sdk.elbv2().ElasticLoadBalancingV2Client)(config),
  }
  installSimulatedAccount(clients.cloudFormation, account, 'cloudformation')
  installSimulatedAccount(clients.autoScaling, account, 'autoscaling')
  installSimulatedAccount(clients.ssm, account, 'ssm')
  installSimulatedAccount(clients.elbv2, account, 'elbv2')
  return clients
}

/**
 * Clients of services only some releases call (alarms, notices), made on first use so that their SDK
 * package is loaded only then, answered by the simulated account like the others.
 */
export const simLazyClients = (account: SimAccount) => {
  const config = {
    region: account.region,
    maxAttempts: 1,
    credentials: {accessKeyId: 'ASIASIMULATED0000000', secretAccessKey: 'simulated-secret-access-key'},
  }
  return {
    cloudWatch: async () => {
      const {CloudWatchClient} = sdk.cloudWatch()
      const client = new CloudWatchClient(config)
      installSimulatedAccount(client, account, 'cloudwatch')
      return client
    },
    sns: async () => {
      const {SNSClient} = sdk.sns()
      const client = new SNSClient(config)
      installSimulatedAccount(client, account, 'sns')
      return client
    },
    eventBridge: async () => {
      const {EventBridgeClient} = sdk.eventBridge()
      const client = new EventBridgeClient(config)
      installSimulatedAccount(client, account, 'eventbridge')
      return client
    },
  }
}
