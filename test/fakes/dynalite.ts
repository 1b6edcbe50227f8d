/**
 * A real DynamoDB implementation over HTTP for the tests: dynalite, in memory, on 127.0.0.1 with a
 * free port, stopped by the test that started it.
 */
import type {AddressInfo} from 'node:net'
import dynalite from 'dynalite'
import {openDynamoStore, type DynamoStateStore} from '../../src/aws/state-store.js'
import {initTable} from '../../src/aws/state-table.js'
import type {Clock} from '../../src/ports/clock.js'
import {VirtualClock} from '../../src/util/clock.js'

export interface Dynalite {
  endpoint: string
  close(): Promise<void>
}

export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({createTableMs: 0, deleteTableMs: 0, updateTableMs: 0})
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const {port} = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

let tables = 0

/** A store over a new table of its own (created as `release state init` does). */
export async function freshDynamoStore(endpoint: string, clock: Clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))): Promise<DynamoStateStore> {
  const store = openDynamoStore({table: `state-${process.pid}-${++tables}`, region: 'us-east-1', endpoint, clock, env: {}})
  await initTable(store, clock)
  return store
}

/** Every call the store sends, by operation name, in order (an observer in front of the real endpoint). */
export function countCalls(store: DynamoStateStore): string[] {
  const calls: string[] = []
  store.rawClient.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName).replace(/Command$/, ''))
      return next(args)
    },
    {step: 'initialize', name: 'countCalls'},
  )
  return calls
}
