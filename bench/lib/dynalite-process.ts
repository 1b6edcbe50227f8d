/**
 * dynalite (in memory) in a process of its own on 127.0.0.1, for the benchmarks: its CPU is then not
 * counted in the benchmark process's wall and CPU time, as real DynamoDB's is not in a runner's.
 */
import {spawn} from 'node:child_process'
import {createServer, type AddressInfo} from 'node:net'
import {createRequire} from 'node:module'

export interface DynaliteProcess {
  endpoint: string
  stop(): Promise<void>
}

/** A port free now on 127.0.0.1 (dynalite's CLI takes 0 for its default, 4567). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => done())
  })
  const {port} = server.address() as AddressInfo
  await new Promise<void>((done) => server.close(() => done()))
  return port
}

/** Starts dynalite's CLI and resolves once it says it listens (it prints that from its listen callback). */
export async function spawnDynalite(): Promise<DynaliteProcess> {
  const cli = createRequire(import.meta.url).resolve('dynalite/cli.js')
  const port = await freePort()
  const child = spawn(process.execPath, [cli, '--host', '127.0.0.1', '--port', String(port), '--createTableMs', '0', '--deleteTableMs', '0', '--updateTableMs', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  await new Promise<void>((done, fail) => {
    let out = ''
    child.once('error', fail)
    child.once('exit', (code) => fail(new Error(`dynalite exited ${code} before listening: ${out}`)))
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      out += chunk
      if (out.includes('listening at')) done()
    })
  })
  child.stdout.resume()
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
