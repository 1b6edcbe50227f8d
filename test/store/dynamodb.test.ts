/**
 * What only the DynamoDB backend has: a table that is missing or has another key schema, refused
 * credentials, an item that does not parse, throttling. Against dynalite over HTTP (and, for refused
 * credentials, an HTTP server on 127.0.0.1 that answers as DynamoDB does to a bad token).
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {CreateTableCommand, PutItemCommand, QueryCommand} from '@aws-sdk/client-dynamodb'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import {Ledger} from '../../src/engine/ledger.js'
import {openDynamoStore, PART_CHARS, STALE_MS, type DynamoStateStore} from '../../src/aws/state-store.js'
import {initTable} from '../../src/aws/state-table.js'
import {VirtualClock} from '../../src/util/clock.js'
import {freshDynamoStore, startDynalite, type Dynalite} from '../fakes/dynalite.js'

let server: Dynalite
beforeAll(async () => {
  server = await startDynalite()
})
afterAll(async () => {
  await server.close()
})

describe('DynamoDB state backend', () => {
  it('AWS_ENDPOINT_URL_DYNAMODB names the endpoint when release.yml does not (no credentials needed for a local one)', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_DYNAMODB
    process.env.AWS_ENDPOINT_URL_DYNAMODB = server.endpoint
    try {
      const clock = new VirtualClock()
      const store = openDynamoStore({table: 'from-env', region: 'us-east-1', clock, env: {AWS_ENDPOINT_URL_DYNAMODB: server.endpoint}})
      expect(await initTable(store, clock)).toMatchObject({created: true})
      await store.writeAtomic('a/b', 'x')
      expect(await store.read('a/b')).toBe('x')
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB
      else process.env.AWS_ENDPOINT_URL_DYNAMODB = saved
    }
  })

  it('a missing table: says to run release state init', async () => {
    const store = openDynamoStore({table: 'no-such-table', region: 'us-east-1', endpoint: server.endpoint, clock: new VirtualClock(), env: {}})
    await expect(store.read('targets/web/ledger.json')).rejects.toMatchObject({code: 'E_STATE_NO_TABLE', hint: expect.stringContaining('release state init')})
  })

  it('state init creates the table once, then confirms it; another key schema is refused naming it', async () => {
    const clock = new VirtualClock()
    const store = openDynamoStore({table: 'init-test', region: 'us-east-1', endpoint: server.endpoint, clock, env: {}})
    const first = await initTable(store, clock)
    expect(first).toMatchObject({table: 'init-test', created: true})
    // dynalite has no point-in-time recovery API: told, not fatal.
    expect(first.pointInTimeRecovery).toMatchObject({unavailable: expect.stringContaining('does not support')})
    expect(await initTable(store, clock)).toMatchObject({created: false})

    await store.rawClient.send(
      new CreateTableCommand({
        TableName: 'other-schema',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{AttributeName: 'LockID', AttributeType: 'S'}],
        KeySchema: [{AttributeName: 'LockID', KeyType: 'HASH'}],
      }),
    )
    const other = openDynamoStore({table: 'other-schema', region: 'us-east-1', endpoint: server.endpoint, clock, env: {}})
    await expect(initTable(other, clock)).rejects.toMatchObject({code: 'E_STATE_TABLE_SCHEMA', message: expect.stringContaining('partition key LockID (string)')})
  })

  it('an item that does not parse: an error naming the key, and the item is never overwritten', async () => {
    const store = await freshDynamoStore(server.endpoint)
    await store.rawClient.send(new PutItemCommand({TableName: store.table, Item: {pk: {S: 'targets/web/ledger.json'}, sk: {S: 'v'}, x: {S: 'junk'}}}))
    const ledger = new Ledger(store, () => Date.now())
    await expect(ledger.read('web')).rejects.toMatchObject({code: 'E_STATE_CORRUPT', message: expect.stringContaining('targets/web/ledger.json')})
    await expect(ledger.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout'})).rejects.toMatchObject({code: 'E_STATE_CORRUPT'})
    // A ledger that is JSON but not a ledger is refused the same way, and left as it is.
    await store.writeAtomic('targets/api/ledger.json', '{"target": "api"}')
    await expect(ledger.begin('api', {version: '1', strategy: 'immutable', kind: 'rollout'})).rejects.toMatchObject({code: 'E_STATE_CORRUPT'})
    expect(await store.read('targets/api/ledger.json')).toBe('{"target": "api"}')
  })

  it('a value rewritten smaller leaves no parts of its earlier writes behind', async () => {
    const store = await freshDynamoStore(server.endpoint)
    const big = (c: string) => c.repeat(PART_CHARS * 2 + 10)
    await store.writeAtomic('releases/web-1/snapshot.json', big('a'))
    await store.writeAtomic('releases/web-1/snapshot.json', big('b'))
    await store.writeAtomic('releases/web-1/snapshot.json', 'small')
    const items = await store.rawClient.send(new QueryCommand({TableName: store.table, KeyConditionExpression: 'pk = :k', ExpressionAttributeValues: {':k': {S: 'releases/web-1/snapshot.json'}}}))
    expect(items.Items?.map((i) => i.sk?.S)).toEqual(['v'])
    expect(await store.read('releases/web-1/snapshot.json')).toBe('small')
  })

  describe('leftovers of writers that stopped half-way are cleaned', () => {
    /** Makes the writer's calls that match hang forever: from the table's side, a process that died right there. */
    const dieAt = (store: DynamoStateStore, match: (command: string, input: any) => boolean) => {
      store.rawClient.middlewareStack.add(
        (next, context) => async (args) => {
          if (match(String(context.commandName), args.input)) return new Promise(() => {})
          return next(args)
        },
        {step: 'initialize', name: 'dieAt'},
      )
    }
    const itemsOf = async (store: DynamoStateStore, pk: string) =>
      ((await store.rawClient.send(new QueryCommand({TableName: store.table, KeyConditionExpression: 'pk = :k', ExpressionAttributeValues: {':k': {S: pk}}}))).Items ?? []).map((i) => i.sk!.S!)
    /** The same table from another process, `later` ms on. */
    const another = (store: DynamoStateStore, clock: VirtualClock, later: number) =>
      openDynamoStore({table: store.table, region: 'us-east-1', endpoint: server.endpoint, clock: new VirtualClock(clock.now() + later), env: {}})

    it('parts of a value whose writer died before its head: deleted by a read once stale, never while young', async () => {
      const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
      const writer = await freshDynamoStore(server.endpoint, clock)
      await writer.writeAtomic('releases/web-1/snapshot.json', 'before')
      dieAt(writer, (command, input) => command === 'PutItemCommand' && input.Item?.sk?.S === 'v')
      void writer.writeAtomic('releases/web-1/snapshot.json', 'x'.repeat(PART_CHARS * 2 + 10))
      await vi.waitFor(async () => expect((await itemsOf(writer, 'releases/web-1/snapshot.json')).length).toBe(3))
      // Young parts may be a write about to switch to them: kept.
      expect(await another(writer, clock, 60_000).read('releases/web-1/snapshot.json')).toBe('before')
      expect((await itemsOf(writer, 'releases/web-1/snapshot.json')).length).toBe(3)
      expect(await another(writer, clock, STALE_MS + 1).read('releases/web-1/snapshot.json')).toBe('before')
      expect(await itemsOf(writer, 'releases/web-1/snapshot.json')).toEqual(['v'])
    })

    it('parts of a value replaced by another process, and of a long line whose writer died: deleted once stale', async () => {
      const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
      const first = await freshDynamoStore(server.endpoint, clock)
      await first.writeAtomic('releases/web-1/snapshot.json', 'a'.repeat(PART_CHARS * 2 + 10))
      await another(first, clock, 1).writeAtomic('releases/web-1/snapshot.json', 'small')
      expect((await itemsOf(first, 'releases/web-1/snapshot.json')).length).toBe(3)
      await first.append('releases/web-1/journal.ndjson', 'one')
      dieAt(first, (command, input) => command === 'PutItemCommand' && /^l#/.test(input.Item?.sk?.S ?? ''))
      void first.append('releases/web-1/journal.ndjson', 'y'.repeat(PART_CHARS + 10))
      await vi.waitFor(async () => expect((await itemsOf(first, 'releases/web-1/journal.ndjson')).length).toBe(2))
      const later = another(first, clock, STALE_MS + 1)
      expect(await later.read('releases/web-1/snapshot.json')).toBe('small')
      expect(await later.read('releases/web-1/journal.ndjson')).toBe('one\n')
      expect(await itemsOf(first, 'releases/web-1/snapshot.json')).toEqual(['v'])
      expect(await itemsOf(first, 'releases/web-1/journal.ndjson')).toEqual(['l#000000000001'])
    })

    it('a removed key loses its directory entry; one left by a remove that died is deleted by a later list', async () => {
      const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
      const store = await freshDynamoStore(server.endpoint, clock)
      await store.createExclusive('locks/web.json', '{}')
      await store.createExclusive('locks/api.json', '{}')
      expect(await itemsOf(store, '/dir/locks')).toEqual(['api.json', 'web.json'])
      await store.remove('locks/web.json')
      expect(await itemsOf(store, '/dir/locks')).toEqual(['api.json'])
      // Written again at once by another process: listed again.
      await another(store, clock, 1).createExclusive('locks/web.json', '{}')
      expect(await store.list('locks')).toEqual(['api.json', 'web.json'])
      dieAt(store, (command, input) => command === 'DeleteItemCommand' && String(input.Key?.pk?.S).startsWith('/dir/'))
      void store.remove('locks/api.json')
      await vi.waitFor(async () => expect(await itemsOf(store, 'locks/api.json')).toEqual([]))
      expect(await another(store, clock, 60_000).list('locks')).toEqual(['web.json'])
      expect(await itemsOf(store, '/dir/locks')).toEqual(['api.json', 'web.json'])
      expect(await another(store, clock, STALE_MS + 1).list('locks')).toEqual(['web.json'])
      expect(await itemsOf(store, '/dir/locks')).toEqual(['web.json'])
    })
  })

  it('lines appended at once are written together, each call resolved once its line is stored', async () => {
    const store = await freshDynamoStore(server.endpoint)
    await Promise.all(Array.from({length: 30}, (_, i) => store.append('releases/web-1/journal.ndjson', `{"i":${i}}`)))
    expect(await store.read('releases/web-1/journal.ndjson')).toBe(Array.from({length: 30}, (_, i) => `{"i":${i}}\n`).join(''))
    const items = await store.rawClient.send(new QueryCommand({TableName: store.table, KeyConditionExpression: 'pk = :k', ExpressionAttributeValues: {':k': {S: 'releases/web-1/journal.ndjson'}}}))
    expect(items.Items!.length).toBeLessThan(30)
  })

  it('throttling on most calls: retried with backoff on the injected clock, nothing lost or doubled', async () => {
    const clock = new VirtualClock()
    const store = await freshDynamoStore(server.endpoint, clock)
    let calls = 0
    // A fault injector in front of the real endpoint: two calls of three are refused as DynamoDB
    // refuses a caller over its rate.
    store.rawClient.middlewareStack.add(
      (next) => async (args) => {
        if (++calls % 3 !== 0) {
          const error = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {name: 'ThrottlingException', $fault: 'client', $metadata: {httpStatusCode: 400}})
          throw error
        }
        return next(args)
      },
      {step: 'initialize', name: 'throttleFaults'},
    )
    const started = clock.now()
    for (let i = 0; i < 10; i++) await store.append('releases/web-1/journal.ndjson', `{"i":${i}}`)
    await store.writeAtomic('targets/web/ledger.json', 'x')
    expect(await store.read('releases/web-1/journal.ndjson')).toBe(Array.from({length: 10}, (_, i) => `{"i":${i}}\n`).join(''))
    expect(await store.read('targets/web/ledger.json')).toBe('x')
    expect(clock.now()).toBeGreaterThan(started)
  })

  describe('refused credentials', () => {
    let refusing: Server
    let endpoint: string
    beforeAll(async () => {
      refusing = createServer((request, response) => {
        request.resume()
        request.on('end', () => {
          response.writeHead(400, {'content-type': 'application/x-amz-json-1.0'})
          response.end(JSON.stringify({__type: 'com.amazon.coral.service#UnrecognizedClientException', message: 'The security token included in the request is invalid.'}))
        })
      })
      await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()))
      endpoint = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`
    })
    afterAll(async () => {
      await new Promise<void>((resolve) => refusing.close(() => resolve()))
    })

    it('says which call was refused', async () => {
      const store = openDynamoStore({table: 'state', region: 'us-east-1', endpoint, clock: new VirtualClock(), env: {}})
      await expect(store.read('targets/web/ledger.json')).rejects.toMatchObject({code: 'E_STATE_ACCESS', message: expect.stringMatching(/refused Query on the state table state/)})
      await expect(store.writeAtomic('targets/web/ledger.json', 'x')).rejects.toMatchObject({code: 'E_STATE_ACCESS', message: expect.stringMatching(/refused BatchWriteItem/)})
    })
  })
})
