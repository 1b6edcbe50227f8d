// State Manager calls of `enforce:` (run `npm run build` first): two releases of the desired-state
// quickstart's appconf target over 200 instances, then a drift check. Prints the calls of each.
//   node scripts/enforce-calls.mjs
import {mkdtempSync, copyFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
const root = resolve(import.meta.dirname, '..')
const load = (p) => import(join(root, 'dist', p))
const [{openWorkspace}, {simAccountSettings}, {rollout}, {drift}, {SimAccount}, {VirtualClock}] = await Promise.all(
  ['src/app/workspace.js', 'src/app/account.js', 'src/app/release.js', 'src/app/drift.js', 'src/sim/index.js', 'src/util/clock.js'].map(load),
)
const dir = mkdtempSync(join(tmpdir(), 'release-enforce-calls-'))
copyFileSync(join(root, 'examples/quickstart/desired-state/release.yml'), join(dir, 'release.yml'))
const ws = await openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir})
const clock = new VirtualClock()
const settings = simAccountSettings(ws.config)
const sim = SimAccount.open({...settings, clock, fleets: {...settings.fleets, 'conf-fleet': {instances: 200, version: '0c1d2e3f4a5b'}}})
let before = {}
const delta = () => {
  const now = sim.metrics().calls
  const d = {}
  for (const k of Object.keys(now)) if (/Association/.test(k) && now[k] !== (before[k] ?? 0)) d[k] = now[k] - (before[k] ?? 0)
  before = {...now}
  return JSON.stringify(d)
}
let r = await rollout(ws, {target: 'appconf', version: 'aaaaaaaaaaaa'}, {}, {sim})
console.log(`first release (${r.outcome}): ${delta()}`)
r = await rollout(ws, {target: 'appconf', version: 'bbbbbbbbbbbb'}, {}, {sim})
console.log(`second release (${r.outcome}): ${delta()}`)
clock.advance(10 * 60_000)
const [report] = await drift(ws, {target: 'appconf'}, {sim})
console.log(`drift of ${report.enforcement.instances.length} instances (in sync: ${report.inSync}): ${delta()}`)
