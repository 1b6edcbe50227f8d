/**
 * `release rollout --detach`: the same release, run by a background process that outlives the caller
 * (a CI step, a terminal), so that later steps follow it (`release events --follow`) or gate on it
 * (`release wait`). Returns the new release's id as soon as the ledger shows it; a background process
 * that stops before that (bad input, a lock) is reported as if it had run in the foreground.
 */
import {highestSeq} from '../engine/release-id.js'
import {spawn, type ChildProcess} from 'node:child_process'
import {closeSync, mkdirSync, openSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {targetOrError, validateVersion} from '../config/index.js'
import type {ReleaseRecord} from '../engine/ledger.js'
import {ERROR_FILE_ENV, UserError, userErrorFromData} from '../errors.js'
import {EXIT} from '../ports/release.js'
import {Backoff, realSleep, type Sleep} from './wait.js'
import type {Workspace} from './workspace.js'
import {cli} from '../util/cli-context.js'

/** How long to wait for the background release to show in the ledger (checks and preflight run first). */
export const DETACH_START_MS = 15_000

export interface DetachRequest {
  target: string
  kind: 'rollout' | 'rollback'
  /** The version to be released, when known (a rollback without --to learns it in the child). */
  version?: string
  /** The child's arguments after the node executable: the bin, then the command line without --detach. */
  argv: string[]
  /** Node's own options of this process (e.g. --import), passed on. */
  execArgv?: string[]
  cwd?: string
  /** The environment the child runs with (the caller's, by default). */
  env?: NodeJS.ProcessEnv
}

export interface DetachHooks {
  sleep?: Sleep
  now?: () => number
  startMs?: number
}

export interface DetachResult {
  id: string
  target: string
  /** The background process's output (its progress lines and its verdict). */
  log: string
  pid: number
}

export async function detach(ws: Workspace, request: DetachRequest, hooks: DetachHooks = {}): Promise<DetachResult> {
  const target = targetOrError(ws.config, request.target).name
  const now = hooks.now ?? ws.now
  const sleep = hooks.sleep ?? realSleep
  // Refused here, before anything starts in the background, when it can be.
  const version = request.version === undefined ? undefined : validateVersion(request.version)
  // The ledger's newest release before the child starts: ours is a later one.
  const before = highestSeq((await ws.ledger.read(target)).releases)

  const dir = join(ws.config.stateDir, 'releases')
  mkdirSync(dir, {recursive: true})
  const log = join(dir, `detached-${new Date(now()).toISOString().replace(/[:.]/g, '-')}.log`)
  // The child writes its error here as JSON, if it stops with one.
  const errorFile = log.replace(/\.log$/, '.error.json')
  const fd = openSync(log, 'a')
  let child: ChildProcess
  try {
    child = spawn(process.execPath, [...(request.execArgv ?? []), ...request.argv], {
      cwd: request.cwd ?? cli().cwd,
      env: {...(request.env ?? cli().env), [ERROR_FILE_ENV]: errorFile},
      // Its own session: a Ctrl-C, a closed terminal or the end of the CI step that started it does not reach it.
      detached: true,
      stdio: ['ignore', fd, fd],
    })
  } finally {
    closeSync(fd)
  }
  let exited: {code: number | null; signal: NodeJS.Signals | null} | undefined
  let failedToStart: Error | undefined
  child.on('exit', (code, signal) => (exited = {code, signal}))
  child.on('error', (error) => (failedToStart = error))
  child.unref()

  const ours = (releases: ReleaseRecord[]) =>
    releases.find((r) => r.seq > before && r.kind === request.kind && (version === undefined || r.version === version))
  const found = async () => {
    const record = ours((await ws.ledger.read(target)).releases)
    return record ? {id: record.id, target, log, pid: child.pid ?? 0} : undefined
  }

  const deadline = now() + (hooks.startMs ?? DETACH_START_MS)
  const backoff = new Backoff()
  for (;;) {
    if (failedToStart) {
      throw new UserError('E_DETACH', `could not start the background release: ${failedToStart.message}`, `run it in the foreground: drop --detach`, EXIT.failed)
    }
    const exitedBefore = exited
    const result = await found()
    if (result) return result
    // It ended before the ledger showed a release of it: it refused (bad input, a lock) or broke.
    if (exitedBefore) throw await childFailure(exitedBefore, log, errorFile)
    if (now() >= deadline) {
      throw new UserError(
        'E_DETACH_TIMEOUT',
        `the background ${request.kind} of ${target} (pid ${child.pid}) has not begun a release after ${Math.round((hooks.startMs ?? DETACH_START_MS) / 1000)}s; it is still running`,
        `see its log: ${log}; then release status ${target}`,
        EXIT.failed,
      )
    }
    await sleep(Math.min(backoff.next(), 500, Math.max(0, deadline - now())))
  }
}

/** The child's own error, re-raised with its code and exit code, as if it had run in the foreground. */
async function childFailure(exit: {code: number | null; signal: NodeJS.Signals | null}, log: string, errorFile: string): Promise<UserError> {
  const code = exit.code ?? EXIT.failed
  const own = userErrorFromData(await readFile(errorFile, 'utf8').then((text) => JSON.parse(text) as unknown, () => undefined))
  if (own) return new UserError(own.code, own.message, own.hint, code === 0 ? EXIT.failed : code)
  const output = await readFile(log, 'utf8').catch(() => '')
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${code}`
  return new UserError(
    'E_DETACHED_EXIT',
    `the background release ${how} before it began a release${output.trim() ? `:\n${output.trimEnd()}` : ''}`,
    `see its log: ${log}`,
    code === 0 ? EXIT.failed : code,
  )
}
