// dynalite ships no types: what the tests and benchmarks use of it.
declare module 'dynalite' {
  import type {Server} from 'node:http'
  export default function dynalite(options?: {createTableMs?: number; deleteTableMs?: number; updateTableMs?: number; path?: string}): Server
}
