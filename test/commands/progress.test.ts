/** The live view says what happened: passed, failed and interrupted steps look different; time is shown. */
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {progressView} from '../../src/commands/_render/progress.js'
import type {ReleaseRecord} from '../../src/engine/ledger.js'

const RECORD: ReleaseRecord = {
  id: 'web-2',
  target: 'web',
  seq: 2,
  version: '2.0.0',
  strategy: 'immutable',
  kind: 'rollout',
  state: 'planning',
  outcome: 'inProgress',
  startedAt: '2026-01-01T00:00:00.000Z',
  previousVersion: '1.0.0',
}

/** A terminal that keeps only the last frame (the view redraws in place). */
function terminal() {
  const frames: string[] = []
  const stream = {isTTY: true, columns: 120, write: (text: string) => frames.push(text.replace(/^\x1b\[\d+A\x1b\[J/, ''))}
  return {stream: stream as unknown as NodeJS.WriteStream, last: () => frames.at(-1) ?? ''}
}

const plain = (text: string) => text.replace(/\x1b\[\d+m/g, '')

describe('the live view', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(Date.parse('2026-01-01T00:00:00Z'))
  })
  afterEach(() => vi.useRealTimers())

  it('marks a failed step with a cross in red, apart from the steps that passed, and shows elapsed time', () => {
    const {stream, last} = terminal()
    const view = progressView(stream, {})
    view.start(RECORD)
    view.transition('planning')
    vi.setSystemTime(Date.parse('2026-01-01T00:00:05Z'))
    view.transition('verifying')
    view.progress({releaseId: 'web-2', step: 'verifying', message: 'smoke check 1/3 done'})
    vi.setSystemTime(Date.parse('2026-01-01T00:01:10Z'))
    view.transition('discarding')
    view.transition('rolledBack')
    view.stop({outcome: 'rolledBack', failedStep: 'verifying'})
    const frame = last()
    expect(plain(frame)).toMatch(/✓ planning\s+5s/)
    expect(plain(frame)).toMatch(/✗ verifying\s+1m5s/)
    expect(frame).toContain('\x1b[31m✗\x1b[0m')
    expect(plain(frame)).toMatch(/1m10s/)
    expect(plain(frame)).toMatch(/rolledBack \(verifying failed\)/)
  })

  it('marks an interrupted step apart from a passed one, and honours NO_COLOR', () => {
    const {stream, last} = terminal()
    const view = progressView(stream, {NO_COLOR: '1'})
    view.start(RECORD)
    view.transition('provisioning')
    view.transition('awaitingCapacity')
    view.stop({outcome: 'interrupted'})
    const frame = last()
    expect(frame).not.toMatch(/\x1b\[\d+m/)
    expect(frame).toMatch(/✓ provisioning/)
    expect(frame).toMatch(/‖ awaitingCapacity/)
    expect(frame).toMatch(/interrupted/)
  })

  it('counts the bake down', () => {
    const {stream, last} = terminal()
    const view = progressView(stream, {NO_COLOR: '1'})
    view.start(RECORD)
    view.transition('baking')
    view.progress({releaseId: 'web-2', step: 'baking', message: 'watching the new group for 120s more', remainingMs: 120_000})
    expect(last()).toMatch(/2m left/)
    vi.setSystemTime(Date.parse('2026-01-01T00:00:30Z'))
    vi.advanceTimersByTime(1000)
    expect(last()).toMatch(/1m2\ds left/)
    view.stop({outcome: 'succeeded'})
    expect(last()).toMatch(/✓ baking/)
    expect(last()).not.toMatch(/left/)
  })

  it('in a CI log, ends with what happened', () => {
    const lines: string[] = []
    const view = progressView({isTTY: false, write: (t: string) => lines.push(t)}, {CI: 'true'})
    view.start(RECORD)
    view.transition('verifying')
    view.stop({outcome: 'rolledBack', failedStep: 'verifying'})
    expect(lines.at(-1)).toMatch(/xx verifying failed; ended rolledBack/)
  })

  it('in a CI log, what planning said before the start follows the started line; refused at planning, it is still shown under the id', () => {
    const ci = () => {
      const lines: string[] = []
      const view = progressView({isTTY: false, write: (t: string) => lines.push(t.replace(/^\S+ /, ''))}, {CI: 'true'})
      return {lines, view}
    }
    const drift = {releaseId: RECORD.id, step: 'planning', message: 'drift: web is in sync with 1.0.0'}
    const started = ci()
    started.view.progress(drift)
    started.view.start(RECORD)
    started.view.transition('planning')
    expect(started.lines.slice(1)).toEqual([`[${RECORD.id}] -> planning\n`, `[${RECORD.id}]    planning: drift: web is in sync with 1.0.0\n`])
    expect(started.lines[0]).toMatch(new RegExp(`^\\[${RECORD.id}\\] .* started`))

    const refused = ci()
    refused.view.progress(drift)
    refused.view.stop()
    expect(refused.lines).toEqual([`[${RECORD.id}] -> planning\n`, `[${RECORD.id}]    planning: drift: web is in sync with 1.0.0\n`])
  })
})
