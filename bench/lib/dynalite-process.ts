/**
 * dynalite (in memory) in a process of its own on 127.0.0.1, for the benchmarks: its CPU is then not
 * counted in the benchmark process's CPU time, as real DynamoDB's is not in a runner's (the client
 * still waits for its answers: its time to answer is in the wall time).
 */
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {createServer, type AddressInfo} from 'node:net'
import {createRequire} from 'node:module'

export interface DynaliteProcess {
  endpoint: string
  /** CPU time (user + system) the server has used so far, in ms; undefined where /proc cannot tell. */
  cpuMs(): number | undefined
  stop(): Promise<void>
}

/** Clock ticks per second of /proc/<pid>/stat: USER_HZ, 100 on every Linux build that matters here. */
const USER_HZ = 100

function procCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    // Fields after the command name (in parentheses, which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ
  } catch {
    return undefined
  }
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
  // The CLI behind a watch of its stdin, which closes when this process ends however it ends (killed
  // included): the server never outlives the benchmark. `dynalite` stands for argv[1], which the CLI skips.
  const watched = `process.stdin.on('end', () => process.exit(0)).resume(); require(${JSON.stringify(cli)})`
  const args = ['--host', '127.0.0.1', '--port', String(port), '--createTableMs', '0', '--deleteTableMs', '0', '--updateTableMs', '0']
  const child = spawn(process.execPath, ['-e', watched, '--', 'dynalite', ...args], {stdio: ['pipe', 'pipe', 'inherit']})
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
    cpuMs: () => procCpuMs(child.pid),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
