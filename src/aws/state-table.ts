/**
 * `release state init`: the state table, created on demand (on-demand billing, point-in-time recovery
 * on), or an existing one checked against the key schema the DynamoDB backend writes.
 */
import type {DynamoDBClient, TableDescription} from '@aws-sdk/client-dynamodb'
import {errorMessage, errorName} from '../aws/retrying.js'
import {UserError} from '../errors.js'
import type {Clock} from '../ports/clock.js'
import {dynamodb} from './dynamodb-sdk.js'
import {stateTableError, type DynamoStateStore} from './state-store.js'

const {CreateTableCommand, DescribeContinuousBackupsCommand, DescribeTableCommand, UpdateContinuousBackupsCommand} = dynamodb

/** The key schema every item of the backend uses (src/aws/state-store.ts). */
export const KEY_SCHEMA = [
  {AttributeName: 'pk', KeyType: 'HASH', AttributeType: 'S'},
  {AttributeName: 'sk', KeyType: 'RANGE', AttributeType: 'S'},
] as const

export interface TableInit {
  table: string
  created: boolean
  /** `on`, or why it is not (an endpoint without the API, such as dynalite). */
  pointInTimeRecovery: 'on' | {unavailable: string}
}

export async function initTable(store: DynamoStateStore, clock: Clock): Promise<TableInit> {
  const client = store.rawClient
  const table = store.table
  const call = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn()
    } catch (error) {
      throw stateTableError(error, table, operation, store.where)
    }
  }
  let description = await describe(client, table, call)
  let created = false
  if (description === undefined) {
    await call('CreateTable', () =>
      client.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: KEY_SCHEMA.map((k) => ({AttributeName: k.AttributeName, AttributeType: k.AttributeType})),
          KeySchema: KEY_SCHEMA.map((k) => ({AttributeName: k.AttributeName, KeyType: k.KeyType})),
        }),
      ),
    )
    created = true
    // CreateTable returns at once; the table takes seconds to become ACTIVE.
    for (let i = 0; i < 120; i++) {
      description = await describe(client, table, call)
      if (description?.TableStatus === 'ACTIVE') break
      await clock.sleep(1_000)
    }
    if (description?.TableStatus !== 'ACTIVE') throw new Error(`the state table ${table} did not become ACTIVE within 2 minutes`)
  } else {
    const problem = keySchemaProblem(description)
    if (problem !== undefined) {
      throw new UserError(
        'E_STATE_TABLE_SCHEMA',
        `the table ${table} (${store.where}) exists with another key schema: ${problem}; the DynamoDB backend needs partition key pk (string) and sort key sk (string)`,
        'Name another table in state.table (release state init creates it), or delete this one if it is not used; nothing was changed.',
        2,
      )
    }
  }
  return {table, created, pointInTimeRecovery: await pointInTimeRecovery(client, table, call)}
}

type Call = <T>(operation: string, fn: () => Promise<T>) => Promise<T>

async function describe(client: DynamoDBClient, table: string, call: Call): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({TableName: table}))).Table
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined
    return call('DescribeTable', () => Promise.reject(error))
  }
}

/** What differs from KEY_SCHEMA, said in a few words; undefined when it matches. */
export function keySchemaProblem(description: TableDescription): string | undefined {
  const types = new Map((description.AttributeDefinitions ?? []).map((d) => [d.AttributeName, d.AttributeType]))
  const has = (description.KeySchema ?? []).map((k) => `${k.KeyType === 'HASH' ? 'partition' : 'sort'} key ${k.AttributeName} (${types.get(k.AttributeName) === 'S' ? 'string' : types.get(k.AttributeName) === 'N' ? 'number' : 'binary'})`)
  const wants = KEY_SCHEMA.map((k) => `${k.KeyType === 'HASH' ? 'partition' : 'sort'} key ${k.AttributeName} (string)`)
  if (has.length === wants.length && has.every((h, i) => h === wants[i])) return undefined
  return `it has ${has.join(' and ') || 'no key'}`
}

/** Turns point-in-time recovery on; an endpoint that lacks the API (dynalite) is told, not fatal. */
async function pointInTimeRecovery(client: DynamoDBClient, table: string, call: Call): Promise<TableInit['pointInTimeRecovery']> {
  try {
    const now = await client.send(new DescribeContinuousBackupsCommand({TableName: table}))
    if (now.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED') return 'on'
    await client.send(new UpdateContinuousBackupsCommand({TableName: table, PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}}))
    return 'on'
  } catch (error) {
    const name = errorName(error)
    if (name === 'UnknownOperationException' || name === 'UnsupportedOperationException') return {unavailable: `the endpoint does not support it (${name})`}
    if (name === 'ContinuousBackupsUnavailableException') return {unavailable: errorMessage(error)}
    return call('UpdateContinuousBackups', () => Promise.reject(error))
  }
}
