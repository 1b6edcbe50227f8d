/**
 * The DynamoDB SDK, loaded with require rather than import: the package is CommonJS, and an ESM
 * import of it makes Node lex its whole bundled index for named exports and resolve it through the
 * ESM loader, about 200 ms of a `release status` on the DynamoDB backend (a third of its time beyond
 * the file backend's). Only the state backend's modules load it, so file-backed commands never do.
 */
import {createRequire} from 'node:module'
import type * as Sdk from '@aws-sdk/client-dynamodb'

export const dynamodb = createRequire(import.meta.url)('@aws-sdk/client-dynamodb') as typeof Sdk
