/**
 * A person's request to stop a running release, kept in the state store so that any process (another
 * terminal, a CI job) can make it and the process driving the release finds it on its next look. It
 * is written create-if-absent beside the release (not under its lease: the person does not hold it),
 * so the first request stands and a later one changes nothing.
 */
import type {StateStore} from '../ports/store.js'
import {corruptState, keys, parseStateJson} from './keys.js'

export interface AbortRequest {
  reason: string
  /** Who asked (user@host). */
  by: string
  /** When, ISO. */
  at: string
}

/** Records the request; false when one was already recorded for this release (the first one stands). */
export function requestAbort(store: StateStore, releaseId: string, request: AbortRequest): Promise<boolean> {
  return store.createExclusive(keys.abortRequest(releaseId), JSON.stringify(request) + '\n')
}

/** The request recorded for a release, if any. */
export async function readAbortRequest(store: StateStore, releaseId: string): Promise<AbortRequest | undefined> {
  const key = keys.abortRequest(releaseId)
  const text = await store.read(key)
  if (text === undefined) return undefined
  const value = parseStateJson(store, key, text, 'the abort request') as Partial<AbortRequest> | null
  if (typeof value !== 'object' || value === null || typeof value.reason !== 'string') {
    throw corruptState(store, key, 'the abort request lacks a reason')
  }
  return {reason: value.reason, by: String(value.by ?? 'unknown'), at: String(value.at ?? '')}
}
