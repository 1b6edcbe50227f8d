import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'

export default class Graph extends ReleaseCommand {
  static override summary = 'Draw a release machine from its real definition.'
  static override description =
    'Prints the states and transitions of a machine (a release: immutable, incremental; an on-demand environment: environment-create, environment-destroy) as Mermaid (paste into any Markdown that renders it), Graphviz dot, or JSON. The drawing is made from the same definition the releases run, so it is never stale.'
  static override examples = ['<%= config.bin %> graph immutable', '<%= config.bin %> graph incremental --format json', '<%= config.bin %> graph immutable --format dot | dot -Tsvg > immutable.svg']
  static override args = {
    machine: Args.string({description: 'Machine to draw.', required: true, options: ['immutable', 'incremental', 'environment-create', 'environment-destroy']}),
  }
  static override flags = {
    format: Flags.string({summary: 'Output format.', options: ['mermaid', 'dot', 'json'], default: 'mermaid'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Graph)
    const {machineByName, machineGraph, toDot, toMermaid} = await import('../app/graph.js')
    const graph = machineGraph(machineByName(args.machine))
    if (flags.format === 'json') this.printJson(graph)
    else this.log(flags.format === 'dot' ? toDot(graph) : toMermaid(graph))
  }
}
