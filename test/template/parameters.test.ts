import {describe, expect, it} from 'vitest'
import {parseTemplate, resolveParameters, summarizeTemplate} from '../../src/template/index.js'

const template = parseTemplate(`
Parameters:
  Version:
    Type: String
    AllowedPattern: '[a-z0-9.]+'
    Description: The version to release
  Size:
    Type: Number
    Default: 2
    MinValue: 1
    MaxValue: 10
  Env:
    Type: String
    Default: prod
    AllowedValues: [prod, staging]
  Zones:
    Type: CommaDelimitedList
    Default: 'a, b'
    AllowedValues: [a, b, c]
  Name:
    Type: String
    Default: web
    MinLength: 2
    MaxLength: 5
    AllowedPattern: '[a-z]+'
    ConstraintDescription: lower-case letters only, 2 to 5 of them
Resources:
  Web: {Type: AWS::S3::Bucket}
`)

describe('resolveParameters', () => {
  it('applies defaults as strings and keeps given values', () => {
    expect(resolveParameters(template, {Version: '1.2.3', Env: 'staging'})).toEqual({
      Version: '1.2.3',
      Size: '2',
      Env: 'staging',
      Zones: 'a, b',
      Name: 'web',
    })
  })

  it('names unknown parameters', () => {
    expect(() => resolveParameters(template, {Version: '1', Foo: 'x', Bar: 'y'})).toThrow(
      'Parameters: [Foo, Bar] do not exist in the template',
    )
  })

  it('names parameters that have neither a value nor a default', () => {
    expect(() => resolveParameters(template, {})).toThrow('Parameters: [Version] must have values')
  })

  it('checks AllowedValues, also for each member of a list', () => {
    expect(() => resolveParameters(template, {Version: '1', Env: 'dev'})).toThrow("Parameter 'Env' must be one of AllowedValues")
    expect(() => resolveParameters(template, {Version: '1', Zones: 'a,d'})).toThrow(
      "Parameter 'Zones' must be one of AllowedValues",
    )
  })

  it('matches AllowedPattern against the whole value', () => {
    expect(() => resolveParameters(template, {Version: '1.0-rc1'})).toThrow("Parameter 'Version' must match pattern [a-z0-9.]+")
    expect(() => resolveParameters(template, {Version: ''})).toThrow("Parameter 'Version' must match pattern [a-z0-9.]+")
  })

  it('says the ConstraintDescription when the template gives one', () => {
    for (const name of ['Web', 'w', 'toolong']) {
      expect(() => resolveParameters(template, {Version: '1', Name: name})).toThrow(
        "Parameter 'Name' failed to satisfy constraint: lower-case letters only, 2 to 5 of them",
      )
    }
  })

  it('checks lengths without a ConstraintDescription', () => {
    const short = parseTemplate('Parameters:\n  Code: {Type: String, MinLength: 3, MaxLength: 4}\nResources:\n  Web: {Type: AWS::S3::Bucket}\n')
    expect(() => resolveParameters(short, {Code: 'ab'})).toThrow("Parameter 'Code' must contain at least 3 characters")
    expect(() => resolveParameters(short, {Code: 'abcde'})).toThrow("Parameter 'Code' must contain at most 4 characters")
  })

  it('requires numbers for Number parameters and checks their range', () => {
    expect(() => resolveParameters(template, {Version: '1', Size: 'two'})).toThrow("Parameter 'Size' must be a number")
    expect(() => resolveParameters(template, {Version: '1', Size: '11'})).toThrow(
      "Parameter 'Size' must be a number not greater than 10",
    )
    expect(resolveParameters(template, {Version: '1', Size: '2.5'}).Size).toBe('2.5')
  })
})

describe('summarizeTemplate', () => {
  it('lists parameters with their defaults and descriptions, and resource types', () => {
    const summary = summarizeTemplate(template)
    expect(summary.parameters[0]).toEqual({key: 'Version', hasDefault: false, description: 'The version to release'})
    expect(summary.parameters.map((parameter) => [parameter.key, parameter.hasDefault])).toEqual([
      ['Version', false],
      ['Size', true],
      ['Env', true],
      ['Zones', true],
      ['Name', true],
    ])
    expect(summary.resourceTypes).toEqual({Web: 'AWS::S3::Bucket'})
  })
})
