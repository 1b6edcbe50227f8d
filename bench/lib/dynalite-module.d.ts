// dynalite ships no types: what the tests and the benchmarks use of it (here, so that both compilations see it).
declare module 'dynalite' {
  import type {Server} from 'node:http'
  export default function dynalite(options?: {createTableMs?: number; deleteTableMs?: number; updateTableMs?: number; path?: string}): Server
}
