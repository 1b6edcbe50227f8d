import {UnsupportedCommandError} from './errors.js'
import type {SimService} from './types.js'
import type {Model} from './model.js'

/** What one command of a simulated service does: the model and the SDK input in, the output out. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandHandler = (model: Model, input: any) => object

/** One service's entry point: its commands by name; any other command is our own bug, named. */
export function serviceHandler(service: SimService, commands: Record<string, CommandHandler>) {
  return (model: Model, command: string, input: unknown): object => {
    const handler = commands[command]
    if (!handler) throw new UnsupportedCommandError(service, command, Object.keys(commands))
    return handler(model, input ?? {})
  }
}
