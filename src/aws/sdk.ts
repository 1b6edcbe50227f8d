/**
 * The AWS SDK's client packages, each loaded by `require` when first asked for.
 *
 * They are CommonJS packages without a "type" field. An ES module's `import` of one costs Node 20
 * twice what `require` does: it compiles the file once more to detect its format, and scans it for
 * its named exports (cjs-module-lexer). For the five clients a release loads, that is about 0.2 s of
 * CPU on every start of the CLI (#17). `require` shares one module cache with `import`, so the classes
 * (errors checked with instanceof) are the same whichever loaded them first.
 *
 * Modules of src/aws and src/sim take their SDK classes from here, and import only types from the
 * packages (eslint.config.js refuses a call that loads an @aws-sdk package anywhere else). A package
 * is loaded when the first module that takes a class from it is, so what is loaded lazily (alarms,
 * notices, the DynamoDB store) stays so.
 *
 * The DynamoDB client is the exception: it comes from the bundle `npm run build` makes of it
 * (src/aws/dynamodb-bundle.ts), which costs the DynamoDB backend half the start-up time of the package.
 */
import type * as AutoScaling from '@aws-sdk/client-auto-scaling'
import type * as CloudFormation from '@aws-sdk/client-cloudformation'
import type * as CloudWatch from '@aws-sdk/client-cloudwatch'
import type * as ElasticLoadBalancingV2 from '@aws-sdk/client-elastic-load-balancing-v2'
import type * as EventBridge from '@aws-sdk/client-eventbridge'
import type * as SNS from '@aws-sdk/client-sns'
import type * as SSM from '@aws-sdk/client-ssm'
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import {checkedDynamoDbBundle, dynamoDbBundleFile, type DynamoDbClasses} from './dynamodb-bundle.js'

const load = createRequire(import.meta.url)

export const sdk = {
  autoScaling: () => load('@aws-sdk/client-auto-scaling') as typeof AutoScaling,
  cloudFormation: () => load('@aws-sdk/client-cloudformation') as typeof CloudFormation,
  cloudWatch: () => load('@aws-sdk/client-cloudwatch') as typeof CloudWatch,
  dynamoDb: (): DynamoDbClasses => {
    const file = dynamoDbBundleFile()
    return checkedDynamoDbBundle(existsSync(file) ? load(file) : undefined, file)
  },
  elbv2: () => load('@aws-sdk/client-elastic-load-balancing-v2') as typeof ElasticLoadBalancingV2,
  eventBridge: () => load('@aws-sdk/client-eventbridge') as typeof EventBridge,
  sns: () => load('@aws-sdk/client-sns') as typeof SNS,
  ssm: () => load('@aws-sdk/client-ssm') as typeof SSM,
}
