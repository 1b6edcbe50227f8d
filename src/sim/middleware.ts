import {randomUUID} from 'node:crypto'
import type {
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOutput,
  InitializeMiddleware,
  MiddlewareStack,
} from '@aws-sdk/types'
import type {SimAccount} from './account.js'
import type {SimService} from './types.js'

export const SIM_MIDDLEWARE_NAME = 'releaseSimulatedAccount'

/**
 * Answers every command at the `initialize` step from `context.commandName` and `args.input`, so no
 * request is serialized, signed or sent; everything above it (our adapters, the SDK's paginators)
 * runs as against AWS.
 */
export function simulatedAccountMiddleware<Input extends object, Output extends object>(
  account: SimAccount,
  service: SimService,
): InitializeMiddleware<Input, Output> {
  return (_next: InitializeHandler<Input, Output>, context: HandlerExecutionContext) =>
    async (args: InitializeHandlerArguments<Input>): Promise<InitializeHandlerOutput<Output>> => {
      const command = (context.commandName ?? '').replace(/Command$/, '')
      const $metadata = {requestId: randomUUID(), attempts: 1, totalRetryDelay: 0}
      try {
        const result = (await account.handle(service, command, args.input)) as object
        const output = {...result, $metadata: {httpStatusCode: 200, ...$metadata}}
        return {output: output as unknown as Output, response: {}}
      } catch (error) {
        if (error && typeof error === 'object' && '$metadata' in error) {
          const metadata = (error as {$metadata?: Record<string, unknown>}).$metadata
          ;(error as {$metadata: object}).$metadata = {httpStatusCode: 400, ...metadata, ...$metadata}
        }
        throw error
      }
    }
}

export function installSimulatedAccount<Input extends object, Output extends object>(
  client: {middlewareStack: MiddlewareStack<Input, Output>},
  account: SimAccount,
  service: SimService,
): void {
  client.middlewareStack.add(simulatedAccountMiddleware<Input, Output>(account, service), {
    step: 'initialize',
    name: SIM_MIDDLEWARE_NAME,
    priority: 'high',
  })
}
