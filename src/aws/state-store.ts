/**
 * The shared state backend: every key of the StateStore port in one DynamoDB table, so that every
 * person and CI job of a team sees one set of ledgers, leases, releases and journals.
 *
 * Items (partition key `pk`, sort key `sk`, both strings):
 * - a value: `pk` = the key, `sk` = `v`, with `d` (the data, or its first part), `h` (sha256 of the
 *   whole data: what compare-and-set compares), `w` (an id of this write), `n` (parts), and `tok`
 *   when the data is a JSON object with a numeric `token` (a lease: what a fence compares). A value
 *   above PART_CHARS is split: parts 1..n-1 are written first under `v#<w>#<i>`, then the `v` item
 *   switches to them in one put, so a reader sees the old or the new value, never a mix.
 * - appended lines: `sk` = `l#<seq>` (12 digits), one or more lines (those appended together by one
 *   process), written with attribute_not_exists so that two appenders can never take one place, and
 *   the order is the order of `seq`. Long lines are split
 *   like values, parts under `l#<seq>#<w>#<i>`.
 * - a directory entry: `pk` = `/dir/<parent>`, `sk` = the name, `leaf` set for a key (absent for a
 *   directory): what `list` reads. Entries are written before the key; `remove` deletes a key's
 *   entry after the key, and `list` leaves out keys that do not exist.
 *
 * Leftovers are cleaned, never left to pile up: parts and entries carry `t`, when they were written
 * (the injected clock). A part no head refers to (a writer that crashed between its parts and its
 * head, or a value replaced since by another process) is deleted by the next read of its key once it
 * is older than STALE_MS (younger ones may belong to a write about to switch to them); the entry of
 * a key that does not exist (a remove that crashed before deleting it) by the next `list` of its
 * directory, once older than STALE_MS too (a younger one may be of a key about to be written).
 *
 * Every read is strongly consistent. A fenced write is a TransactWriteItems of a ConditionCheck on
 * the lease's `tok` and the write; an endpoint without transactions (dynalite, used by the tests)
 * gets the check as a consistent read immediately before the conditional write, the guarantee of
 * the file backend, except where the place of a line fences it: a holder's appends to its release's
 * journal (Fence.marked) go to the place right after its own last line with no read, because a
 * takeover or an unlock appends a line there as soon as it holds the lease (src/engine/lease.ts), so
 * the old holder's next line finds its place taken and reads the lease then. Throttling is retried with backoff on the injected clock (src/aws/retrying.ts).
 */
import {createHash, randomBytes} from 'node:crypto'
import type {AttributeValue, DynamoDBClient, QueryCommandInput, TransactWriteItemsCommand as TransactWrite, WriteRequest} from '@aws-sdk/client-dynamodb'
import {errorMessage, errorName, retryingClient} from '../aws/retrying.js'
import {UserError} from '../errors.js'
import type {Clock} from '../ports/clock.js'
import {FenceError, linesOf, type Fence, type StateStore} from '../ports/store.js'
import {captured} from '../util/captured.js'
import {cli} from '../util/cli-context.js'
import {sdk} from './sdk.js'

const {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} = sdk.dynamoDb()

/** UTF-16 units per item part: at most ~270 KB of UTF-8, well below DynamoDB's 400 KB item limit. */
export const PART_CHARS = 90_000
const DIR = '/dir/'
const VALUE = 'v'
const LINE = 'l#'
const SEQ_DIGITS = 12
/** Leftovers older than this are no one's write in progress: no write takes an hour between its parts and its head. */
export const STALE_MS = 60 * 60 * 1000
/** The sk of a part: `<head sk>#<write id>#<index>`. */
const PART = /^(v|l#\d{12})#([0-9a-f]+)#\d{4}$/
/** Rounds of an append that lost its place to another appender before giving up. */
const APPEND_ATTEMPTS = 50

type Item = Record<string, AttributeValue>

export interface DynamoStateStoreOptions {
  table: string
  client: DynamoDBClient
  /** Backoff of throttled calls sleeps here. */
  clock: Clock
  /** For messages: where the table is (region, endpoint). */
  where?: string
}

export class DynamoStateStore implements StateStore {
  readonly location: string
  readonly table: string
  /** Region and endpoint, for messages. */
  readonly where: string
  /** The client without our retries (state init waits on its own terms). */
  readonly rawClient: DynamoDBClient
  private readonly client: DynamoDBClient
  private readonly clock: Clock
  /** Directory entries known to exist (they are never deleted). */
  private readonly entries = new Set<string>()
  /** The next line number of keys this process appends to. */
  private readonly nextSeq = new Map<string, number>()
  /**
   * Appends fenced by place (Fence.marked): the next line number of a key where the holder of `token`
   * wrote the last line this process knows of. Its next line goes there without a read of the lease:
   * a takeover or an unlock appends a line to the key right after it, which takes that place first.
   */
  private readonly placed = new Map<string, {seq: number; token: number}>()
  private readonly appending = new Map<string, Promise<void>>()
  /** Lines waiting for the append in flight of their key, to be written as one item after it. */
  private readonly waiting = new Map<string, Batch>()
  /** Parts (beyond the first) of the last multi-part write of this process, by key and sk. */
  private readonly ownParts = new Map<string, {PutRequest: {Item: Item}}[]>()
  /** Becomes false once the endpoint says it has no TransactWriteItems. */
  private transactions = true

  constructor(options: DynamoStateStoreOptions) {
    this.table = options.table
    this.where = options.where ?? ''
    this.location = `dynamodb:${options.table}`
    this.clock = options.clock
    this.rawClient = options.client
    this.client = retryingClient(options.client, options.clock, 'dynamodb')
  }

  async read(key: string): Promise<string | undefined> {
    checkKey(key)
    // A multi-part value replaced between two pages of the query: read again.
    for (let attempt = 0; ; attempt++) {
      const items = await this.query({KeyConditionExpression: 'pk = :k', ExpressionAttributeValues: {':k': {S: key}}})
      const value = this.assemble(key, items)
      if (value !== TORN) {
        await this.sweepParts(items)
        return value
      }
      if (attempt >= 3) throw this.corrupt(key, 'the parts of the value do not match its first item')
    }
  }

  async writeAtomic(key: string, data: string, fence?: Fence): Promise<void> {
    checkKey(key)
    await this.ensureEntries(key)
    await this.putValue(key, data, {fence})
  }

  async createExclusive(key: string, data: string): Promise<boolean> {
    checkKey(key)
    await this.ensureEntries(key, true)
    return this.putValue(key, data, {condition: {ConditionExpression: 'attribute_not_exists(pk)'}})
  }

  async compareAndSet(key: string, expected: string | undefined, data: string, fence?: Fence): Promise<boolean> {
    checkKey(key)
    await this.ensureEntries(key, expected === undefined)
    const condition =
      expected === undefined
        ? {ConditionExpression: 'attribute_not_exists(pk)'}
        : {ConditionExpression: 'h = :expected', ExpressionAttributeValues: {':expected': {S: sha256(expected)}}}
    return this.putValue(key, data, {condition, fence})
  }

  /**
   * This process's appends to one key land in the order they were called, like the file backend's.
   * Lines appended while an earlier append of the key is being written are written together, as one
   * item (group commit): each call still returns only once its line is stored.
   */
  append(key: string, lines: string | readonly string[], fence?: Fence): Promise<void> {
    let list: string[]
    try {
      list = linesOf(key, lines)
    } catch (error) {
      return Promise.reject(error)
    }
    const waiting = this.waiting.get(key)
    if (waiting && sameFence(waiting.fence, fence)) {
      waiting.lines.push(...list)
      return waiting.done
    }
    const batch: Batch = {lines: list, fence, done: Promise.resolve()}
    this.waiting.set(key, batch)
    const previous = this.appending.get(key) ?? Promise.resolve()
    batch.done = previous.then(() => {
      // From here on, later lines go to the next batch.
      if (this.waiting.get(key) === batch) this.waiting.delete(key)
      return this.appendNow(key, batch.lines.join('\n'), fence)
    })
    const settled = batch.done.catch(() => {})
    this.appending.set(key, settled)
    void settled.then(() => {
      if (this.appending.get(key) === settled) this.appending.delete(key)
    })
    return batch.done
  }

  /**
   * Appends the lines only right after this holder's own last line of the key (Fence.marked): false,
   * and nothing written, when another process appended since (its line took the place) or this one
   * does not know its place. One conditional put, fenced as append is.
   */
  appendIfAlone(key: string, lines: string | readonly string[], fence?: Fence): Promise<boolean> {
    let line: string
    try {
      line = linesOf(key, lines).join('\n')
    } catch (error) {
      return Promise.reject(error)
    }
    // Lines appended from now on follow these: a batch still waiting is closed.
    this.waiting.delete(key)
    const done = (this.appending.get(key) ?? Promise.resolve()).then(() => this.appendAtPlace(key, line, fence))
    const settled = done.then(
      () => undefined,
      () => undefined,
    )
    this.appending.set(key, settled)
    void settled.then(() => {
      if (this.appending.get(key) === settled) this.appending.delete(key)
    })
    return done
  }

  private async appendAtPlace(key: string, line: string, fence: Fence | undefined): Promise<boolean> {
    checkKey(key)
    const placed = this.placed.get(key)
    if (fence?.marked !== key || placed?.token !== fence.token) return false
    await this.ensureEntries(key)
    const sk = `${LINE}${String(placed.seq).padStart(SEQ_DIGITS, '0')}`
    const written = await this.putParts(key, sk, line, {condition: {ConditionExpression: 'attribute_not_exists(pk)'}, fence: this.transactions ? fence : undefined})
    this.placedLine(key, written ? placed.seq : undefined, fence)
    return written
  }

  /** After an append: the line number it took (undefined when its place was taken), to go on from. */
  private placedLine(key: string, seq: number | undefined, fence: Fence | undefined): void {
    if (seq === undefined) {
      // Another writer took this place: find the end again.
      this.nextSeq.delete(key)
      this.placed.delete(key)
      return
    }
    this.nextSeq.set(key, seq + 1)
    if (fence !== undefined && fence.marked === key) this.placed.set(key, {seq: seq + 1, token: fence.token})
    // A line of anyone else (a takeover's, in tests within one process) ends the holder's run of places.
    else this.placed.delete(key)
  }

  /** Writes one item of one or more lines (joined by newlines) at the next free place. */
  private async appendNow(key: string, line: string, fence?: Fence): Promise<void> {
    checkKey(key)
    await this.ensureEntries(key)
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      const placed = this.placed.get(key)
      // Fenced by place: the line right after this holder's last one is free only while no one took
      // the lease over (see Fence.marked). Anywhere else, or after losing a place, the lease is read
      // (or, with transactions, checked in the same call): a line found after ours may be a takeover's.
      const byPlace = fence !== undefined && fence.marked === key && !this.transactions && placed?.token === fence.token
      const seq = byPlace ? placed.seq : (this.nextSeq.get(key) ?? (await this.lastSeq(key)) + 1)
      const sk = `${LINE}${String(seq).padStart(SEQ_DIGITS, '0')}`
      const written = await this.putParts(key, sk, line, {condition: {ConditionExpression: 'attribute_not_exists(pk)'}, fence: byPlace ? undefined : fence})
      this.placedLine(key, written ? seq : undefined, fence)
      if (written) return
    }
    throw new Error(`could not append to ${this.location}/${key}: other writers kept taking the next line`)
  }

  async remove(key: string, fence?: Fence): Promise<void> {
    checkKey(key)
    const items = await this.query({KeyConditionExpression: 'pk = :k', ExpressionAttributeValues: {':k': {S: key}}, ProjectionExpression: 'pk, sk'})
    // The item that makes the key exist: its value, or else its first line.
    const head = items.find((item) => item.sk?.S === VALUE) ?? items[0]
    if (head === undefined) {
      if (fence) await this.checkFence(fence)
      return
    }
    const started = this.clock.now()
    // The item that makes the key exist goes first, fenced; the rest is then unreachable garbage.
    await this.deleteOne(key, keyOf(head).sk.S, fence)
    await this.batchWrite(items.filter((item) => item !== head).map(deleteRequest))
    this.nextSeq.delete(key)
    this.placed.delete(key)
    await this.dropEntry(key, started)
  }

  /**
   * Deletes a removed key's directory entry (its directories stay, like the file backend's), unless
   * it was written again since the remove began: another process creating the key anew right then.
   */
  private async dropEntry(key: string, removing: number): Promise<void> {
    const at = key.lastIndexOf('/')
    const parent = at < 0 ? '' : key.slice(0, at)
    const name = key.slice(at + 1)
    this.entries.delete(`${parent}\0${name}`)
    try {
      await this.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: {pk: {S: DIR + parent}, sk: {S: name}},
          ConditionExpression: 'attribute_not_exists(t) OR t <= :removing',
          ExpressionAttributeValues: {':removing': {N: String(removing)}},
        }),
      )
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error
    }
  }

  /**
   * Deletes the parts no head refers to once they are older than STALE_MS (see the top of this file).
   * Best effort: a reader allowed only to read (release status) leaves them to the next writer.
   */
  private async sweepParts(items: Item[]): Promise<void> {
    const heads = new Map(items.filter((item) => !PART.test(item.sk?.S ?? '')).map((item) => [item.sk?.S ?? '', item.w?.S]))
    const now = this.clock.now()
    const orphans = items.filter((item) => {
      const match = PART.exec(item.sk?.S ?? '')
      if (!match || heads.get(captured(match, 1)) === match[2]) return false
      const at = Number(item.t?.N ?? '0')
      return now - at > STALE_MS
    })
    if (orphans.length === 0) return
    await this.batchWrite(orphans.map(deleteRequest)).catch(() => undefined)
  }

  async list(prefix: string): Promise<string[]> {
    const dir = prefix.replace(/^\.?\/*|\/+$/g, '')
    const items = await this.query({KeyConditionExpression: 'pk = :k', ExpressionAttributeValues: {':k': {S: DIR + dir}}})
    const keyIn = (name: string) => (dir === '' ? name : `${dir}/${name}`)
    const names = items.map((item) => ({name: item.sk?.S ?? '', leaf: item.leaf !== undefined}))
    const leaves = names.filter((n) => n.leaf).map((n) => keyIn(n.name))
    const present = await this.existing(leaves)
    // The entries of keys that are gone, left by a remove that stopped before deleting them.
    const now = this.clock.now()
    const stale = items.filter((item) => item.leaf !== undefined && !present.has(keyIn(stringOf(item, 'sk'))) && now - Number(item.t?.N ?? '0') > STALE_MS)
    if (stale.length > 0) await this.batchWrite(stale.map(deleteRequest)).catch(() => undefined)
    return names
      .filter((n) => n.name !== '' && (!n.leaf || present.has(keyIn(n.name))))
      .map((n) => n.name)
      .sort()
  }

  // --- values -------------------------------------------------------------------------------

  /** Puts a value (parts first); false when `condition` failed. */
  private async putValue(key: string, data: string, opts: {condition?: Condition; fence?: Fence}): Promise<boolean> {
    const extra: Item = {h: {S: sha256(data)}}
    const token = leaseToken(data)
    if (token !== undefined) extra.tok = {N: String(token)}
    return this.putParts(key, VALUE, data, {...opts, extra})
  }

  /**
   * Writes `data` at (key, sk): its parts beyond the first under ids of this write, then the head
   * item with the condition and the fence. False when the condition failed (FenceError when the fence).
   */
  private async putParts(key: string, sk: string, data: string, opts: {condition?: Condition; fence?: Fence; extra?: Item}): Promise<boolean> {
    const [first, ...more] = split(data)
    const w = randomBytes(8).toString('hex')
    const rest: {PutRequest: {Item: Item}}[] = more.map((part, i) => ({PutRequest: {Item: {pk: {S: key}, sk: {S: `${sk}#${w}#${String(i + 1).padStart(4, '0')}`}, d: {S: part}, w: {S: w}, t: {N: String(this.clock.now())}}}}))
    await this.batchWrite(rest)
    const head: Item = {pk: {S: key}, sk: {S: sk}, d: {S: first}, w: {S: w}, n: {N: String(1 + more.length)}, ...opts.extra}
    const drop = (requests: typeof rest) => this.batchWrite(requests.map((r) => deleteRequest(r.PutRequest.Item)))
    let written: boolean
    try {
      written = await this.conditionalPut(key, head, opts.condition, opts.fence)
    } catch (error) {
      await drop(rest).catch(() => undefined)
      throw error
    }
    if (!written) {
      await drop(rest)
      return false
    }
    // The parts of this process's previous write of the key are unreachable now. Only our own: the
    // parts of another writer may belong to a write it has not switched to yet.
    const id = `${key}\0${sk}`
    const previous = this.ownParts.get(id)
    if (rest.length > 0) this.ownParts.set(id, rest)
    else this.ownParts.delete(id)
    if (previous) await drop(previous)
    return true
  }

  private async conditionalPut(key: string, item: Item, condition: Condition | undefined, fence: Fence | undefined): Promise<boolean> {
    // A fence on the key itself (a lease renewing or releasing itself) is part of the put's own condition.
    if (fence && fence.key === key) {
      condition = andCondition(condition, {ConditionExpression: 'tok = :fenceToken', ExpressionAttributeValues: {':fenceToken': {N: String(fence.token)}}})
      fence = undefined
    }
    if (fence && this.transactions) {
      try {
        await this.transact(
          new TransactWriteItemsCommand({
            TransactItems: [
              {Put: {TableName: this.table, Item: item, ...condition}},
              {ConditionCheck: {TableName: this.table, Key: {pk: {S: fence.key}, sk: {S: VALUE}}, ...fenceCondition(fence)}},
            ],
          }),
        )
        return true
      } catch (error) {
        if (errorName(error) === 'UnknownOperationException') {
          this.transactions = false
        } else {
          const reasons = (error as {CancellationReasons?: {Code?: string}[]}).CancellationReasons
          if (errorName(error) !== 'TransactionCanceledException' || !reasons) throw error
          if (reasons[1]?.Code === 'ConditionalCheckFailed') throw new FenceError(fence, await this.read(fence.key))
          if (reasons[0]?.Code === 'ConditionalCheckFailed') return false
          throw error
        }
      }
    }
    if (fence) await this.checkFence(fence)
    try {
      await this.send(new PutItemCommand({TableName: this.table, Item: item, ...condition}))
      return true
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error
      if (condition?.ExpressionAttributeValues?.[':fenceToken']) {
        const lease = await this.read(key)
        const ownFence = {key, token: Number(condition.ExpressionAttributeValues[':fenceToken'].N)}
        if (lease === undefined || leaseToken(lease) !== ownFence.token) throw new FenceError(ownFence, lease)
      }
      return false
    }
  }

  private async deleteOne(key: string, sk: string, fence: Fence | undefined): Promise<void> {
    let condition: Condition | undefined
    if (fence && fence.key === key) condition = fenceCondition(fence)
    else if (fence) {
      if (this.transactions) {
        try {
          await this.transact(
            new TransactWriteItemsCommand({
              TransactItems: [
                {Delete: {TableName: this.table, Key: {pk: {S: key}, sk: {S: sk}}}},
                {ConditionCheck: {TableName: this.table, Key: {pk: {S: fence.key}, sk: {S: VALUE}}, ...fenceCondition(fence)}},
              ],
            }),
          )
          return
        } catch (error) {
          if (errorName(error) === 'UnknownOperationException') this.transactions = false
          else if (errorName(error) === 'TransactionCanceledException') throw new FenceError(fence, await this.read(fence.key))
          else throw error
        }
      }
      await this.checkFence(fence)
    }
    try {
      await this.send(new DeleteItemCommand({TableName: this.table, Key: {pk: {S: key}, sk: {S: sk}}, ...condition}))
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException' && fence) throw new FenceError(fence, await this.read(fence.key))
      throw error
    }
  }

  /**
   * A transaction, sent again when DynamoDB cancelled it only because another transaction touched
   * the same items at that moment (TransactionConflict) or throttled it: not a condition that failed.
   */
  private async transact(command: TransactWrite): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.send(command)
        return
      } catch (error) {
        const reasons = (error as {CancellationReasons?: {Code?: string}[]}).CancellationReasons ?? []
        const transient = errorName(error) === 'TransactionConflictException' || (errorName(error) === 'TransactionCanceledException' && reasons.length > 0 && reasons.every((r) => r.Code === 'None' || r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError'))
        if (!transient || attempt >= 10) throw error
        await this.clock.sleep(Math.min(2_000, 25 * 2 ** attempt))
      }
    }
  }

  /** Refuses (FenceError) unless the fence's lease holds its token now (a consistent read). */
  private async checkFence(fence: Fence): Promise<void> {
    const result = await this.send(new GetItemCommand({TableName: this.table, Key: {pk: {S: fence.key}, sk: {S: VALUE}}, ConsistentRead: true, ProjectionExpression: 'tok'}))
    if (result.Item?.tok?.N !== String(fence.token)) throw new FenceError(fence, await this.read(fence.key))
  }

  /** The value or the lines of a key from its items (sorted by sk), TORN when parts do not match. */
  private assemble(key: string, items: Item[]): string | undefined | typeof TORN {
    const head = items.find((item) => item.sk?.S === VALUE)
    if (head) {
      const value = this.joinParts(key, items, VALUE, head)
      if (value === TORN) return TORN
      if (sha256(value) !== head.h?.S) return TORN
      return value
    }
    const lines: string[] = []
    for (const item of items) {
      const sk = item.sk?.S ?? ''
      if (!sk.startsWith(LINE) || sk.length !== LINE.length + SEQ_DIGITS) continue
      const line = this.joinParts(key, items, sk, item)
      if (line === TORN) throw this.corrupt(key, `line ${sk.slice(LINE.length)} lacks some of its parts`)
      lines.push(line)
    }
    return lines.length === 0 ? undefined : lines.map((line) => line + '\n').join('')
  }

  private joinParts(key: string, items: Item[], sk: string, head: Item): string | typeof TORN {
    const d = head.d?.S
    const w = head.w?.S
    const n = Number(head.n?.N ?? '1')
    if (d === undefined || w === undefined || !Number.isSafeInteger(n) || n < 1) {
      throw this.corrupt(key, `the item (pk ${JSON.stringify(key)}, sk ${JSON.stringify(sk)}) lacks its data (d), write id (w) or part count (n)`)
    }
    if (n === 1) return d
    const prefix = `${sk}#${w}#`
    const parts = items.filter((item) => item.sk?.S?.startsWith(prefix)).map((item) => item.d?.S)
    if (parts.length !== n - 1 || parts.some((part) => part === undefined)) return TORN
    return d + parts.join('')
  }

  // --- lines, entries, listing -------------------------------------------------------------------

  private async lastSeq(key: string): Promise<number> {
    const result = await this.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :k AND begins_with(sk, :l)',
        ExpressionAttributeValues: {':k': {S: key}, ':l': {S: LINE}},
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
        ProjectionExpression: 'sk',
      }),
    )
    const sk = result.Items?.[0]?.sk?.S
    if (sk === undefined) return 0
    const seq = Number.parseInt(sk.slice(LINE.length, LINE.length + SEQ_DIGITS), 10)
    if (!Number.isSafeInteger(seq)) throw this.corrupt(key, `the item (sk ${JSON.stringify(sk)}) is not a line`)
    return seq
  }

  /**
   * Writes the directory entries from the root down to the key itself, once per process; the key's
   * own entry again when `creating` (a lease, an abort request): another process may have removed the
   * key and its entry since this one wrote it.
   */
  private async ensureEntries(key: string, creating = false): Promise<void> {
    const segments = key.split('/')
    const ids = segments.map((segment, i) => ({parent: segments.slice(0, i).join('/'), segment, leaf: i === segments.length - 1}))
    const missing: WriteRequest[] = []
    for (const {parent, segment, leaf} of ids) {
      if (this.entries.has(`${parent}\0${segment}`) && !(creating && leaf)) continue
      const item: Item = {pk: {S: DIR + parent}, sk: {S: segment}, t: {N: String(this.clock.now())}}
      if (leaf) item.leaf = {BOOL: true}
      missing.push({PutRequest: {Item: item}})
    }
    if (missing.length === 0) return
    await this.batchWrite(missing)
    for (const {parent, segment} of ids) this.entries.add(`${parent}\0${segment}`)
  }

  /** Which of these keys exist now: a value item or a first line (consistent batch reads). */
  private async existing(keys: string[]): Promise<Set<string>> {
    const found = new Set<string>()
    const withValue = new Set<string>()
    await this.batchGet(keys.map((key) => ({pk: {S: key}, sk: {S: VALUE}})), (item) => {
      const key = stringOf(item, 'pk')
      withValue.add(key)
      found.add(key)
    })
    // Appended keys have no value item: look for any line (the first may have been... never removed alone).
    for (const key of keys.filter((k) => !withValue.has(k))) {
      if ((await this.lastSeq(key)) > 0) found.add(key)
    }
    return found
  }

  // --- calls ----------------------------------------------------------------------------------

  /** Every page of a strongly consistent query. */
  private async query(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = []
    let start: Item | undefined
    do {
      const page = await this.send(new QueryCommand({TableName: this.table, ConsistentRead: true, ...input, ...(start ? {ExclusiveStartKey: start} : {})}))
      items.push(...((page.Items ?? []) as Item[]))
      start = page.LastEvaluatedKey as Item | undefined
    } while (start)
    return items
  }

  /** Batches of 25; unprocessed items are sent again after a backoff on the clock. */
  private async batchWrite(requests: WriteRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending = requests.slice(i, i + 25)
      for (let round = 0; pending.length > 0; round++) {
        if (round > 0) await this.clock.sleep(Math.min(5_000, 50 * 2 ** round))
        if (round > 20) throw new Error(`DynamoDB left ${pending.length} writes to ${this.table} unprocessed after ${round} rounds`)
        const result = await this.send(new BatchWriteItemCommand({RequestItems: {[this.table]: pending}}))
        pending = result.UnprocessedItems?.[this.table] ?? []
      }
    }
  }

  /** Batches of 100 consistent reads; unprocessed keys are asked again after a backoff. */
  private async batchGet(keys: Item[], onItem: (item: Item) => void): Promise<void> {
    for (let i = 0; i < keys.length; i += 100) {
      let pending = keys.slice(i, i + 100)
      for (let round = 0; pending.length > 0; round++) {
        if (round > 0) await this.clock.sleep(Math.min(5_000, 50 * 2 ** round))
        if (round > 20) throw new Error(`DynamoDB left ${pending.length} reads of ${this.table} unprocessed after ${round} rounds`)
        const result = await this.send(
          new BatchGetItemCommand({RequestItems: {[this.table]: {Keys: pending, ConsistentRead: true, ProjectionExpression: 'pk'}}}),
        )
        for (const item of result.Responses?.[this.table] ?? []) onItem(item as Item)
        pending = (result.UnprocessedKeys?.[this.table]?.Keys ?? []) as Item[]
      }
    }
  }

  /** Sends a command (throttling retried by the client view); refusals a user can fix become UserErrors. */
  private async send(command: object): Promise<any> {
    try {
      return await (this.client.send as (c: object) => Promise<unknown>)(command)
    } catch (error) {
      throw stateTableError(error, this.table, command.constructor.name.replace(/Command$/, ''), this.where)
    }
  }

  private corrupt(key: string, problem: string): UserError {
    return new UserError(
      'E_STATE_CORRUPT',
      `${this.location}/${key}: ${problem}`,
      `Restore the item from a backup (point-in-time recovery) or delete it in the DynamoDB console (release never overwrites it), then retry.`,
      2,
    )
  }
}

interface Batch {
  lines: string[]
  fence: Fence | undefined
  done: Promise<void>
}

function sameFence(a: Fence | undefined, b: Fence | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.key === b.key && a.token === b.token)
}

type Condition = {ConditionExpression: string; ExpressionAttributeValues?: Record<string, AttributeValue>}

const TORN = Symbol('torn')

function fenceCondition(fence: Fence): Condition {
  return {ConditionExpression: 'tok = :fenceToken', ExpressionAttributeValues: {':fenceToken': {N: String(fence.token)}}}
}

function andCondition(a: Condition | undefined, b: Condition): Condition {
  if (!a) return b
  return {ConditionExpression: `(${a.ConditionExpression}) AND (${b.ConditionExpression})`, ExpressionAttributeValues: {...a.ExpressionAttributeValues, ...b.ExpressionAttributeValues}}
}

export interface OpenDynamoOptions {
  table: string
  region: string
  /** Without it, AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL apply as the SDK defines them. */
  endpoint?: string
  clock: Clock
  env?: NodeJS.ProcessEnv
}

/**
 * The store over a new client. The SDK's own retries are off: throttling is retried on our clock.
 * A local endpoint (dynalite, DynamoDB Local) needs no real credentials: without any in the
 * environment, placeholder ones are used for it, never for AWS itself.
 */
export function openDynamoStore(options: OpenDynamoOptions): DynamoStateStore {
  const env = options.env ?? cli().env
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL
  const local = endpoint !== undefined && /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(endpoint)
  const anyCredentials = env.AWS_ACCESS_KEY_ID !== undefined || env.AWS_PROFILE !== undefined || env.AWS_WEB_IDENTITY_TOKEN_FILE !== undefined
  const client = new (sdk.dynamoDb().DynamoDBClient)({
    maxAttempts: 1,
    region: options.region,
    ...(options.endpoint !== undefined ? {endpoint: options.endpoint} : {}),
    ...(local && !anyCredentials ? {credentials: {accessKeyId: 'local', secretAccessKey: 'local'}} : {}),
  })
  const where = `${options.region}${endpoint !== undefined ? `, ${endpoint}` : ''}`
  return new DynamoStateStore({table: options.table, client, clock: options.clock, where})
}

/** Errors DynamoDB gives when the caller's credentials are refused or missing. */
const ACCESS_ERRORS = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'MissingAuthenticationTokenException',
  'CredentialsProviderError',
  'InvalidClientTokenId',
])

/** What a user can fix, said plainly: a missing table, refused credentials. Anything else as it was. */
export function stateTableError(error: unknown, table: string, operation: string, where: string): unknown {
  if (error instanceof UserError || error instanceof FenceError) return error
  const name = errorName(error) ?? ''
  const at = where ? ` (${where})` : ''
  if (name === 'ResourceNotFoundException') {
    return new UserError('E_STATE_NO_TABLE', `the state table ${table}${at} does not exist (${operation} was refused: ${errorMessage(error)})`, 'Create it with: release state init', 2)
  }
  if (ACCESS_ERRORS.has(name) || /credential/i.test(errorMessage(error))) {
    return new UserError(
      'E_STATE_ACCESS',
      `DynamoDB refused ${operation} on the state table ${table}${at}: ${name ? `${name}: ` : ''}${errorMessage(error)}`,
      `Give these credentials dynamodb:${operation} on the table (see docs/iam.md), or use others (AWS_PROFILE, OIDC in CI); nothing was changed.`,
      2,
    )
  }
  return error
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024) throw new Error(`state key must be a non-empty string of at most 1024 characters`)
  if (key.includes('\0') || key.startsWith('/') || key.split('/').some((s) => s === '' || s === '..' || s === '.')) {
    throw new Error(`state key ${JSON.stringify(key)} must be a relative path without empty, . or .. segments`)
  }
}

/**
 * Cuts text into parts of at most PART_CHARS UTF-16 units, never between the halves of a surrogate
 * pair: at least one part (the empty text is one empty part), which the head item holds.
 */
export function split(text: string): [string, ...string[]] {
  const first = cut(text, 0)
  const parts: [string, ...string[]] = [text.slice(0, first)]
  for (let at = first; at < text.length; ) {
    const end = cut(text, at)
    parts.push(text.slice(at, end))
    at = end
  }
  return parts
}

/** Where the part that starts at `at` ends. */
function cut(text: string, at: number): number {
  const end = Math.min(text.length, at + PART_CHARS)
  const code = text.charCodeAt(end - 1)
  return end < text.length && code >= 0xd800 && code <= 0xdbff ? end - 1 : end
}

/** A string attribute DynamoDB answered with: the key attributes are always there, a missing one is refused by name. */
function stringOf(item: Item, name: 'pk' | 'sk'): string {
  const value = item[name]?.S
  if (value === undefined) throw new Error(`DynamoDB answered an item without its ${name === 'pk' ? 'partition key (pk)' : 'sort key (sk)'} string`)
  return value
}

function keyOf(item: Item): {pk: {S: string}; sk: {S: string}} {
  return {pk: {S: stringOf(item, 'pk')}, sk: {S: stringOf(item, 'sk')}}
}

function deleteRequest(item: Item): WriteRequest {
  return {DeleteRequest: {Key: keyOf(item)}}
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** The fencing token of a lease (a JSON object with a numeric token); undefined for anything else. */
function leaseToken(text: string): number | undefined {
  if (!text.startsWith('{') || text.length > 10_000) return undefined
  try {
    const value = JSON.parse(text) as {token?: unknown}
    return typeof value.token === 'number' && Number.isSafeInteger(value.token) ? value.token : undefined
  } catch {
    return undefined
  }
}
