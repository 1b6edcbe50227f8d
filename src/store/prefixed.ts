/**
 * The state of one named environment: the same store, every key under `envs/<name>/`, so that its
 * ledgers, leases, releases and journals never meet another environment's. The implicit environment
 * (no `environments:` in release.yml) keeps the keys at the top, where earlier versions wrote them.
 */
import type {Fence, StateStore} from '../ports/store.js'

export function environmentStore(store: StateStore, environment: string): StateStore {
  const prefix = `envs/${environment}/`
  const at = (key: string) => prefix + key
  const fenced = (fence?: Fence) => (fence ? {...fence, key: at(fence.key), ...(fence.marked !== undefined ? {marked: at(fence.marked)} : {})} : undefined)
  // Optional on the port: a store that cannot tell whether someone appended has none.
  const appendIfAlone = store.appendIfAlone?.bind(store)
  const readFrom = store.readFrom?.bind(store)
  return {
    location: `${store.location}/envs/${environment}`,
    read: (key) => store.read(at(key)),
    writeAtomic: (key, data, fence) => store.writeAtomic(at(key), data, fenced(fence)),
    append: (key, lines, fence) => store.append(at(key), lines, fenced(fence)),
    ...(appendIfAlone ? {appendIfAlone: (key: string, lines: string | readonly string[], fence?: Fence) => appendIfAlone(at(key), lines, fenced(fence))} : {}),
    ...(readFrom ? {readFrom: (key: string, offset: number) => readFrom(at(key), offset)} : {}),
    createExclusive: (key, data) => store.createExclusive(at(key), data),
    compareAndSet: (key, expected, data, fence) => store.compareAndSet(at(key), expected, data, fenced(fence)),
    remove: (key, fence) => store.remove(at(key), fenced(fence)),
    list: (prefix) => store.list(at(prefix)),
  }
}
