/**
 * `release env destroy NAME`: deletes every stack the environment made, then forgets its state and
 * its record. A protected environment is refused. Resources a DeletionPolicy keeps are reported by id.
 */
import {fromPromise} from 'xstate'
import {environmentDestroyMachine, type LeftBehind, type StackOfEnvironment} from '../../../machines/environment.js'
import {environmentNames} from '../../config/environments.js'
import {suggest} from '../../config/suggest.js'
import type {ReleaseConfig} from '../../config/types.js'
import {UserError} from '../../errors.js'
import {isStale, listLeases} from '../../engine/lease.js'
import type {StateStore} from '../../ports/store.js'
import {openStateStore} from '../../store/open.js'
import {environmentStore} from '../../store/prefixed.js'
import {openAccount, type AccountOverrides} from '../account.js'
import {openWorkspace, type Workspace} from '../workspace.js'
import {changeRecord, listRecords, readRecord, removeRecord} from './record.js'
import {forgetRun, runEnvironmentMachine} from './run.js'
import {leftBehindBy, stacksOf} from './stacks.js'

export interface DestroyResult {
  environment: string
  outcome: 'destroyed' | 'failed'
  stacks: string[]
  leftBehind: LeftBehind[]
  message: string
  exitCode: number
}

/** Refuses what must not be destroyed; says which environments exist when the name is unknown. */
export async function checkDestroyable(whole: ReleaseConfig, shared: StateStore, name: string): Promise<void> {
  const defined = whole.environments?.[name]
  if (defined?.protected) {
    throw new UserError('E_PROTECTED', `environment ${name} is protected (protected: true in ${whole.file}): release never destroys it`, `Destroy an on-demand copy instead (release env list), or remove protected: true from ${name} if it really must go.`, 2)
  }
  if (defined !== undefined) return
  if (await readRecord(shared, name)) return
  const names = [...environmentNames(whole), ...(await listRecords(shared)).map((r) => r.name)]
  const near = suggest(name, names)
  throw new UserError('E_UNKNOWN_ENV', `unknown environment "${name}"; the environments are: ${names.join(', ') || 'none'}`, near ? `Did you mean "${near}"?` : 'See release env list.', 2)
}

export async function destroyEnvironment(ws: Workspace, name: string, overrides: AccountOverrides = {}): Promise<DestroyResult> {
  const whole = ws.whole ?? ws.config
  const shared = await openStateStore(whole)
  await checkDestroyable(whole, shared, name)
  // A release running in the environment is let finish first: its stacks would be deleted under it.
  const store = environmentStore(shared, name)
  const running = (await listLeases(store)).filter((l) => !isStale(l, ws.now()))
  const [l] = running
  if (l) {
    throw new UserError('E_LOCKED', `environment ${name} has a release running: ${l.releaseId} by ${l.holder ?? 'someone'} (lease until ${l.expires})`, `Wait for it (release wait ${l.target} --env ${name}) or abort it, then destroy ${name}.`, 4)
  }
  if (await readRecord(shared, name)) await changeRecord(shared, name, (r) => ({...r, phase: 'destroying'}))
  return runDestroy(whole, name, overrides)
}

async function runDestroy(whole: ReleaseConfig, name: string, overrides: AccountOverrides): Promise<DestroyResult> {
  const env = await openWorkspace({configPath: whole.file, cwd: whole.dir, env: name})
  const record = (await readRecord(await openStateStore(whole), name))?.record
  const targets = [...new Set([...Object.keys(env.config.targets), ...(record?.targets.map((t) => t.name) ?? [])])]
  let account: Awaited<ReturnType<typeof openAccount>> | undefined
  const accountOf = async () => (account ??= await openAccount(env.config, overrides))
  const machine = environmentDestroyMachine.provide({
    actors: {
      findStacks: fromPromise(async () => {
        const {stacks} = await accountOf()
        const found = await stacksOf(stacks, name, targets)
        return {stacks: found, leftBehind: await leftBehindBy(stacks, found, (t) => whole.targets[t]?.templateBody)}
      }),
      deleteStacks: fromPromise(async ({input}: {input: {environment: string; stacks: StackOfEnvironment[]}}) => {
        const {stacks, clock} = await accountOf()
        const deadline = clock.now() + 60 * 60_000
        await Promise.all(
          input.stacks.map(async (s) => {
            const token = `destroy-${s.name}`.slice(0, 128)
            await stacks.deleteStack(s.name, token)
            const done = await stacks.waitForDelete(s.name, token, {deadline})
            if (!done.ok) throw new Error(`stack ${s.name} ended ${done.status}${done.reason ? `: ${done.reason}` : ''}`)
          }),
        )
      }),
      forgetState: fromPromise(async () => forgetState(environmentStore(await openStateStore(whole), name))),
    },
  })
  const run = await runEnvironmentMachine(whole, name, {machine, runId: 'env-destroy', input: {environment: name}})
  const stacks = ((run.context?.stacks as StackOfEnvironment[] | undefined) ?? []).map((s) => s.name)
  const leftBehind = (run.context?.leftBehind as LeftBehind[] | undefined) ?? []
  if (run.state !== 'destroyed') {
    const failure = run.context?.failure as {step: string; message: string} | undefined
    const message = `environment ${name} is not destroyed: ${failure ? `${failure.step}: ${failure.message}` : run.state}; its record stays`
    await forgetRun(whole, name, 'env-destroy')
    return {environment: name, outcome: 'failed', stacks, leftBehind, message, exitCode: 1}
  }
  await forgetRun(whole, name, 'env-destroy')
  await removeRecord(await openStateStore(whole), name)
  const kept = leftBehind.length > 0 ? `; left behind by DeletionPolicy: ${leftBehind.map((l) => `${l.physicalId} (${l.type}, ${l.policy})`).join(', ')}` : ''
  return {environment: name, outcome: 'destroyed', stacks, leftBehind, message: `environment ${name} destroyed: ${stacks.length} stack(s) deleted${stacks.length ? ` (${stacks.join(', ')})` : ''}${kept}`, exitCode: 0}
}

/** `env resume NAME` of an interrupted destroy. */
export function resumeDestroy(whole: ReleaseConfig, name: string, overrides: AccountOverrides = {}): Promise<DestroyResult> {
  return runDestroy(whole, name, overrides)
}

/** Every key of the environment but the destroy run's own (forgotten once it has ended). */
async function forgetState(store: StateStore): Promise<void> {
  const walk = async (prefix: string): Promise<void> => {
    for (const entry of await store.list(prefix)) {
      const key = `${prefix}/${entry}`
      if (key === 'releases/env-destroy') continue
      const below = await store.list(key)
      if (below.length > 0) await walk(key)
      // An empty listing is a key, or a directory a destroy cut short has emptied: nothing to remove there.
      else await store.remove(key).catch((error: unknown) => {
        if (!/EISDIR|EPERM|directory/i.test(String((error as {code?: string}).code ?? error))) throw error
      })
    }
  }
  for (const top of ['targets', 'releases', 'locks']) await walk(top)
}
