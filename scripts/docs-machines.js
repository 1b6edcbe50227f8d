// Rewrites the diagrams in docs/machines.md from the built machine definitions (npm run docs:machines).
// test/docs/machines.test.ts fails when the committed diagrams differ from the definitions.
import {readFileSync, writeFileSync} from 'node:fs'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {MACHINES, machineGraph, toMermaid} = await import(join(root, 'dist/src/app/graph.js'))
const file = join(root, 'docs/machines.md')
let text = readFileSync(file, 'utf8')
for (const name of Object.keys(MACHINES)) {
  const block = new RegExp(`(<!-- graph:${name} -->\\n)[\\s\\S]*?(<!-- /graph -->)`)
  text = text.replace(block, `$1\`\`\`mermaid\n${toMermaid(machineGraph(MACHINES[name]))}\n\`\`\`\n$2`)
}
writeFileSync(file, text)
