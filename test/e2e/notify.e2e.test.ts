import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {describe, expect, it} from 'vitest'
import {makeProject} from '../fakes/workspace.js'
import {release} from './cli.js'

describe('notices across a crash', () => {
  it('a release killed (SIGKILL) in the bake and resumed sends each notice once', async () => {
    const events: string[] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (d) => (body += d))
      req.on('end', () => {
        events.push(JSON.parse(body).release.event)
        res.end('ok')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
      const cwd = makeProject({capacity: 2, extra: `    notify:\n      - webhook: ${url}\n`})
      const killed = await release(['rollout', 'web', '--version', '1.0.0'], {cwd, env: {RELEASE_TEST_CRASH_AT: 'baking'}})
      expect(killed.code).not.toBe(0)
      expect(events).toEqual(['started'])
      const resumed = await release(['resume', 'web'], {cwd})
      expect(resumed.code, resumed.stderr).toBe(0)
      expect(events).toEqual(['started', 'succeeded'])

      // Killed after the notice of its end went out, before the ledger recorded the end: resumed, it ends without telling it again.
      const late = await release(['rollout', 'web', '--version', '2.0.0'], {cwd, env: {RELEASE_TEST_CRASH_AT: 'notified:succeeded'}})
      expect(late.code).not.toBe(0)
      expect(events).toEqual(['started', 'succeeded', 'started', 'succeeded'])
      const again = await release(['resume', 'web'], {cwd})
      expect(again.code, again.stderr).toBe(0)
      expect(events).toEqual(['started', 'succeeded', 'started', 'succeeded'])
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
