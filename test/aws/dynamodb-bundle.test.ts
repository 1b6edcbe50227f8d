import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {checkedDynamoDbBundle, DYNAMODB_CLASSES, dynamoDbBundleFile} from '../../src/aws/dynamodb-bundle.js'
import {sdk} from '../../src/aws/sdk.js'

describe('the DynamoDB client bundle (npm run build)', () => {
  it('holds every class the backend names, the SDK client among them', () => {
    const bundle = sdk.dynamoDb()
    for (const name of DYNAMODB_CLASSES) expect(typeof bundle[name], name).toBe('function')
    expect(new bundle.QueryCommand({TableName: 't'}).input).toEqual({TableName: 't'})
  })

  it('was cut down to those classes: no command the backend does not use', () => {
    const bundle = sdk.dynamoDb() as unknown as Record<string, unknown>
    expect(Object.keys(bundle).sort()).toEqual([...DYNAMODB_CLASSES].sort())
    // The package's own build holds all its operations; the bundle none of those the backend leaves unused.
    const dir = dirname(dynamoDbBundleFile())
    const text = readdirSync(dir).map((file) => readFileSync(join(dir, file), 'utf8')).join('\n')
    expect(text).toMatch(/TransactWriteItems/)
    expect(text).not.toMatch(/ListTables|UpdateItem\b|ExecuteStatement/)
  })

  it('needs nothing of node_modules: its files require one another and Node built-ins only', () => {
    const dir = dirname(dynamoDbBundleFile())
    const required = readdirSync(dir).flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]))
    expect(required.length).toBeGreaterThan(0)
    expect(required.filter((name) => !name?.startsWith('node:') && !name?.startsWith('./'))).toEqual([])
  })

  it('a bundle that is missing or older than the list is named with its fix', () => {
    expect(() => checkedDynamoDbBundle(undefined, '/x/index.cjs')).toThrow('the DynamoDB client bundle /x/index.cjs is not there: run npm run build')
    const {QueryCommand: _, ...stale} = sdk.dynamoDb()
    expect(() => checkedDynamoDbBundle(stale, '/x/index.cjs')).toThrow(/lacks QueryCommand: .*run npm run build/)
  })
})
