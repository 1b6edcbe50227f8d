import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {MACHINES, machineGraph, toMermaid} from '../../src/app/graph.js'

const doc = readFileSync(join(import.meta.dirname, '../../docs/machines.md'), 'utf8')

describe('docs/machines.md', () => {
  it.each(Object.keys(MACHINES))('embeds the current %s machine (run `npm run docs:machines` when this fails)', (name) => {
    const block = new RegExp(`<!-- graph:${name} -->\\n\`\`\`mermaid\\n([\\s\\S]*?)\\n\`\`\`\\n<!-- /graph -->`).exec(doc)
    expect(block, `no <!-- graph:${name} --> block`).not.toBeNull()
    expect(block![1]).toBe(toMermaid(machineGraph(MACHINES[name]!)))
  })

  it('draws every state and transition of the definition', () => {
    const graph = machineGraph(MACHINES.immutable!)
    expect(graph.states.map((s) => s.name)).toContain('revertingTraffic')
    expect(graph.transitions).toContainEqual({from: 'baking', to: 'revertingTraffic', on: 'bake failed'})
    expect(graph.states.filter((s) => s.final).map((s) => s.name).sort()).toEqual(['failed', 'rolledBack', 'succeeded'])
  })
})
