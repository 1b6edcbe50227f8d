/** Runs before every test file (vitest setupFiles): its temp directories and config cache are its own. */
import {afterAll} from 'vitest'
import {isolateTempDir} from './fakes/temp.js'

const temp = isolateTempDir()
afterAll(() => temp.restore())
