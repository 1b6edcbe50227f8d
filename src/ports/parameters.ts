/** SSM Parameter Store, where the desired version of a target is published. Adapter: src/aws/parameters.ts. */

export interface ParameterValue {
  value: string
  /** Parameter Store's version number of the value (1, 2, ...). */
  version: number
}

export interface ParameterPort {
  /** Writes (overwriting) a String parameter; returns its new version. */
  put(name: string, value: string, description?: string): Promise<number>
  /** undefined when no such parameter exists. */
  get(name: string): Promise<ParameterValue | undefined>
}

/** Where instances and State Manager associations read the version a target should run. */
export function desiredVersionParameter(target: string): string {
  return `/release/${target}/version`
}
