/** `npm run bench [-- --quick]`: runs the benchmarks, prints their figures, writes bench/results.json. */
import {writeFileSync} from 'node:fs'
import {resolve} from 'node:path'
import {benchImmutableRollout} from './immutable-rollout.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const quick = process.argv.includes('--quick')
const results = [...(await benchImmutableRollout(quick ? [10] : [10, 50]))]
const out = resolve(import.meta.dirname, '../../bench/results.json')
writeFileSync(out, JSON.stringify(results, null, 2) + '\n')
console.log(`wrote ${out}`)
