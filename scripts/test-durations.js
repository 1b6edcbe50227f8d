/**
 * Writes test/durations.json from a vitest JSON report: each test file's duration in ms, by its path
 * from the root. test/sequencer.ts starts the slowest first with them on a fresh clone (CI), which has
 * no timings of an earlier run. Run after adding or slowing down test files:
 *
 *   npx vitest run --reporter=json --outputFile=/tmp/report.json && node scripts/test-durations.js /tmp/report.json
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {relative, resolve} from 'node:path'

const report = process.argv[2]
if (!report) {
  console.error('usage: node scripts/test-durations.js <vitest JSON report>')
  process.exit(2)
}
const root = resolve(import.meta.dirname, '..')
const {testResults} = JSON.parse(readFileSync(report, 'utf8'))
const durations = Object.fromEntries(
  testResults
    .map((t) => [relative(root, t.name).split('\\').join('/'), Math.round((t.endTime - t.startTime) / 100) * 100])
    .sort(([a], [b]) => a.localeCompare(b)),
)
writeFileSync(resolve(root, 'test/durations.json'), JSON.stringify(durations, null, 2) + '\n')
console.log(`test/durations.json: ${Object.keys(durations).length} files`)
