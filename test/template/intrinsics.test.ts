import {describe, expect, it} from 'vitest'
import {
  creationOrder,
  dependenciesOf,
  evaluate,
  evaluateCondition,
  parseTemplate,
  resolveParameters,
  type CfnTemplate,
  type EvaluationContext,
} from '../../src/template/index.js'

const source = `
Parameters:
  Env: {Type: String, Default: prod}
  Zones: {Type: CommaDelimitedList, Default: 'a, b'}
Mappings:
  Sizes:
    prod: {Count: '3'}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsStaging: !Equals [staging, !Ref Env]
  ProdOrStaging: !Or [!Condition IsProd, !Condition IsStaging]
  ProdInUsEast: !And [!Condition IsProd, !Equals [!Ref AWS::Region, us-east-1]]
  NotProd: !Not [!Condition IsProd]
Resources:
  Queue: {Type: AWS::SQS::Queue}
  Web: {Type: AWS::S3::Bucket}
`
const template = parseTemplate(source)

function context(parameters: Record<string, string> = {}): EvaluationContext {
  return {
    stackName: 'web-stack',
    stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/web-stack/1',
    region: 'us-east-1',
    accountId: '123456789012',
    parameters: resolveParameters(template, parameters),
    physicalId: (logicalId) => `${logicalId}-physical`,
    attribute: (logicalId, attribute) => `${logicalId}.${attribute}-value`,
  }
}

/** Evaluates one YAML property value, written into a resource of the template above. */
function value(yaml: string, parameters: Record<string, string> = {}): unknown {
  const withValue = parseTemplate(`${source}  X:\n    Type: AWS::S3::Bucket\n    Properties:\n      V: ${yaml}\n`)
  return evaluate(withValue.Resources.X?.Properties?.V, withValue, context(parameters))
}

describe('evaluate', () => {
  it('resolves Ref to parameters, resources and pseudo parameters', () => {
    expect(value('!Ref Env')).toBe('prod')
    expect(value('!Ref Zones')).toEqual(['a', 'b'])
    expect(value('!Ref Queue')).toBe('Queue-physical')
    expect(
      value('[!Ref AWS::StackName, !Ref AWS::StackId, !Ref AWS::Region, !Ref AWS::AccountId, !Ref AWS::Partition, !Ref AWS::URLSuffix]'),
    ).toEqual([
      'web-stack',
      'arn:aws:cloudformation:us-east-1:123456789012:stack/web-stack/1',
      'us-east-1',
      '123456789012',
      'aws',
      'amazonaws.com',
    ])
  })

  it('substitutes parameters, resources, attributes and pseudo parameters in Fn::Sub, and keeps ${!Literal}', () => {
    expect(value(`!Sub '\${AWS::StackName}/\${Env}/\${Queue}/\${Queue.Arn}/\${AWS::Region}/\${!HOME}'`)).toBe(
      'web-stack/prod/Queue-physical/Queue.Arn-value/us-east-1/${HOME}',
    )
  })

  it('prefers Fn::Sub variables, which may hold intrinsics, over template names', () => {
    expect(value(`!Sub ['\${Env}-\${Bucket}', {Env: dev, Bucket: !Ref Web}]`)).toBe('dev-Web-physical')
  })

  it('gives the same Fn::GetAtt for both forms', () => {
    expect(value('!GetAtt Queue.Arn')).toBe('Queue.Arn-value')
    expect(value('!GetAtt [Queue, Arn]')).toBe('Queue.Arn-value')
    expect(value('{"Fn::GetAtt": "Queue.Arn"}')).toBe('Queue.Arn-value')
  })

  it('drops keys and list elements that are Ref AWS::NoValue', () => {
    expect(value('{Keep: 1, Drop: !Ref AWS::NoValue, List: [a, !Ref AWS::NoValue, !If [IsProd, !Ref AWS::NoValue, c]]}')).toEqual({
      Keep: 1,
      List: ['a'],
    })
    expect(evaluate({Ref: 'AWS::NoValue'}, template, context())).toBeUndefined()
  })

  it('evaluates Join, Select, Split, Base64, FindInMap and GetAZs', () => {
    expect(value(`!Join ['-', [!Ref Env, 1, !Select [1, !GetAZs '']]]`)).toBe('prod-1-us-east-1b')
    expect(value(`!Select ['0', !Split [',', 'x,y']]`)).toBe('x')
    expect(value('!Base64 hello')).toBe('aGVsbG8=')
    expect(value('!FindInMap [Sizes, !Ref Env, Count]')).toBe('3')
    expect(value('!GetAZs eu-west-1')).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c'])
  })

  it('evaluates Fn::If through Equals, Not, And, Or and Condition', () => {
    expect(value('[!If [IsProd, p, s], !If [NotProd, p, s], !If [ProdOrStaging, y, n], !If [ProdInUsEast, y, n]]')).toEqual([
      'p',
      's',
      'y',
      'y',
    ])
    expect(value('[!If [IsProd, p, s], !If [ProdOrStaging, y, n]]', {Env: 'dev'})).toEqual(['s', 'n'])
    expect(evaluateCondition('IsStaging', template, context({Env: 'staging'}))).toBe(true)
  })

  it('refuses what the simulated account cannot resolve', () => {
    expect(() => value('!ImportValue SharedVpc')).toThrow('Template error: Fn::ImportValue is not supported by the simulated account')
    expect(() => evaluate({Ref: 'Ghost'}, template, context())).toThrow(
      'Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template',
    )
    expect(() => value('!FindInMap [Sizes, dev, Count]')).toThrow('Template error: Unable to get mapping for Sizes::dev::Count')
    expect(() => value('!Select [3, [a]]')).toThrow('Template error: Fn::Select cannot select nonexistent value at index 3')
  })
})

describe('creation order', () => {
  const ordered = parseTemplate(`
Resources:
  Service:
    Type: AWS::ECS::Service
    Properties:
      Role: !GetAtt Role.Arn
      Name: !Sub '\${Cluster}-svc'
  Alarm:
    Type: AWS::CloudWatch::Alarm
    DependsOn: Service
  Cluster:
    Type: AWS::ECS::Cluster
  Role:
    Type: AWS::IAM::Role
    Properties:
      Bucket: !Ref Logs
  Logs:
    Type: AWS::S3::Bucket
`)

  it('finds dependencies from DependsOn, Ref, GetAtt and Sub', () => {
    expect(dependenciesOf(ordered, 'Service')).toEqual(['Role', 'Cluster'])
    expect(dependenciesOf(ordered, 'Alarm')).toEqual(['Service'])
    expect(dependenciesOf(ordered, 'Logs')).toEqual([])
  })

  it('creates each resource after its dependencies, otherwise in declaration order', () => {
    expect(creationOrder(ordered)).toEqual(['Cluster', 'Logs', 'Role', 'Service', 'Alarm'])
  })

  it('names the resources on a circular dependency, not those waiting behind it', () => {
    const circular: CfnTemplate = {
      Parameters: {},
      Outputs: {},
      Resources: {
        A: {Type: 'AWS::S3::Bucket', Properties: {Name: {Ref: 'B'}}},
        B: {Type: 'AWS::S3::Bucket', DependsOn: 'A'},
        C: {Type: 'AWS::S3::Bucket', DependsOn: ['A']},
        D: {Type: 'AWS::S3::Bucket'},
      },
    }
    expect(() => creationOrder(circular)).toThrow('Template format error: Circular dependency between resources: [A, B]')
    const self: CfnTemplate = {Parameters: {}, Outputs: {}, Resources: {A: {Type: 'AWS::S3::Bucket', DependsOn: 'A'}}}
    expect(() => creationOrder(self)).toThrow('Circular dependency between resources: [A]')
  })
})

describe('names shared with Object.prototype', () => {
  it('are not mistaken for declared parameters, mappings or conditions', () => {
    expect(() => evaluate({Ref: 'constructor'}, template, context())).toThrow('Unresolved resource dependencies [constructor]')
    expect(() => evaluate({'Fn::FindInMap': ['Sizes', 'prod', 'toString']}, template, context())).toThrow(
      'Unable to get mapping for Sizes::prod::toString',
    )
  })
})
