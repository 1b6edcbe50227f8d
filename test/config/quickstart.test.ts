import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadConfig} from '../../src/config/index.js'

describe('examples/quickstart/release.yml', () => {
  it('loads', async () => {
    const config = await loadConfig('examples/quickstart/release.yml', {cwd: path.resolve(import.meta.dirname, '../..')})
    expect(Object.keys(config.targets)).toContain('web')
    expect(config.targets.web!.strategy).toBe('immutable')
  })
})
