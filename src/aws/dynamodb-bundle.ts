/**
 * The DynamoDB client the state backend uses: @aws-sdk/client-dynamodb bundled by `npm run build`
 * (scripts/bundle-dynamodb.ts) into dist/vendor/client-dynamodb/, tree-shaken down to the classes
 * named here and what they use. The package as published loads 31 files of about 1 MB (its own 57
 * operations' schemas, @smithy/core's CBOR and XML protocols, ...) and costs every command on the
 * DynamoDB backend about 110 ms of CPU to load; the bundle loads about 400 KB for half that
 * (docs/dev/architecture.md, "The DynamoDB client bundle"). It is the SDK's own code, less of it.
 *
 * The list is the one source of both: the build bundles these names, src/aws/sdk.ts types its
 * loader by them (a class missing here does not compile) and checks the built bundle has each.
 */
import type * as DynamoDB from '@aws-sdk/client-dynamodb'
import path from 'node:path'
import {packageRoot} from '../util/package-root.js'

export const DYNAMODB_CLASSES = [
  'DynamoDBClient',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'CreateTableCommand',
  'DeleteItemCommand',
  'DescribeContinuousBackupsCommand',
  'DescribeTableCommand',
  'GetItemCommand',
  'PutItemCommand',
  'QueryCommand',
  'TransactWriteItemsCommand',
  'UpdateContinuousBackupsCommand',
] as const

export type DynamoDbClasses = Pick<typeof DynamoDB, (typeof DYNAMODB_CLASSES)[number]>

/** The bundle's directory under the package root, and its entry file (the chunks beside it load when asked). */
export const DYNAMODB_BUNDLE_DIR = 'dist/vendor/client-dynamodb'
export const DYNAMODB_BUNDLE_ENTRY = 'index.cjs'

export function dynamoDbBundleFile(): string {
  return path.join(packageRoot(), DYNAMODB_BUNDLE_DIR, DYNAMODB_BUNDLE_ENTRY)
}

/** The bundle's exports, once each class named above is found there; a stale or missing bundle is named with its fix. */
export function checkedDynamoDbBundle(exports: unknown, file: string): DynamoDbClasses {
  if (exports === undefined) throw new Error(`the DynamoDB client bundle ${file} is not there: run npm run build`)
  const loaded = exports as Record<string, unknown>
  const missing = DYNAMODB_CLASSES.filter((name) => typeof loaded[name] !== 'function')
  if (missing.length > 0) throw new Error(`the DynamoDB client bundle ${file} lacks ${missing.join(', ')}: it is older than src/aws/dynamodb-bundle.ts; run npm run build`)
  return loaded as unknown as DynamoDbClasses
}
