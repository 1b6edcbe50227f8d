import {describe, expect, it} from 'vitest'
import {parseTemplate, TemplateError} from '../../src/template/index.js'

/** Runs `fn` and returns the TemplateError it throws. */
function templateError(fn: () => unknown): TemplateError {
  try {
    fn()
  } catch (error) {
    if (error instanceof TemplateError) return error
    throw error
  }
  throw new Error('expected a TemplateError')
}

describe('parseTemplate', () => {
  it('turns every YAML short form into the same long form as the JSON template', () => {
    const yaml = `
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env: {Type: String, Default: prod}
Mappings:
  Sizes: {prod: {Count: '3'}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Or [!Condition NotProd, !Equals [a, a]]]
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Web:
    Type: AWS::S3::Bucket
    Properties:
      Name: !Sub '\${AWS::StackName}-\${Env}'
      Arn: !GetAtt Queue.Arn
      ArnList: !GetAtt [Queue, Arn]
      Joined: !Join [',', [!Ref Queue, b]]
      First: !Select [0, !Split [',', 'x,y']]
      Data: !Base64 hello
      Zones: !GetAZs ''
      Shared: !ImportValue SharedVpc
      Count: !FindInMap [Sizes, !Ref Env, Count]
      Maybe: !If [IsProd, yes, no]
Outputs:
  Name:
    Value: !Ref Web
`
    const json = JSON.stringify({
      AWSTemplateFormatVersion: '2010-09-09',
      Parameters: {Env: {Type: 'String', Default: 'prod'}},
      Mappings: {Sizes: {prod: {Count: '3'}}},
      Conditions: {
        IsProd: {'Fn::Equals': [{Ref: 'Env'}, 'prod']},
        NotProd: {'Fn::Not': [{Condition: 'IsProd'}]},
        Both: {'Fn::And': [{Condition: 'IsProd'}, {'Fn::Or': [{Condition: 'NotProd'}, {'Fn::Equals': ['a', 'a']}]}]},
      },
      Resources: {
        Queue: {Type: 'AWS::SQS::Queue'},
        Web: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            Name: {'Fn::Sub': '${AWS::StackName}-${Env}'},
            Arn: {'Fn::GetAtt': ['Queue', 'Arn']},
            ArnList: {'Fn::GetAtt': ['Queue', 'Arn']},
            Joined: {'Fn::Join': [',', [{Ref: 'Queue'}, 'b']]},
            First: {'Fn::Select': [0, {'Fn::Split': [',', 'x,y']}]},
            Data: {'Fn::Base64': 'hello'},
            Zones: {'Fn::GetAZs': ''},
            Shared: {'Fn::ImportValue': 'SharedVpc'},
            Count: {'Fn::FindInMap': ['Sizes', {Ref: 'Env'}, 'Count']},
            Maybe: {'Fn::If': ['IsProd', 'yes', 'no']},
          },
        },
      },
      Outputs: {Name: {Value: {Ref: 'Web'}}},
    }, null, 2)

    expect(parseTemplate(yaml)).toEqual(parseTemplate(json))
  })

  it('keeps dots after the first in a scalar !GetAtt as part of the attribute name', () => {
    const template = parseTemplate(`
Resources:
  Db: {Type: AWS::RDS::DBInstance}
  App:
    Type: AWS::S3::Bucket
    Properties: {Host: !GetAtt Db.Endpoint.Address}
`)
    expect(template.Resources.App?.Properties?.Host).toEqual({'Fn::GetAtt': ['Db', 'Endpoint.Address']})
  })

  it('defaults absent Parameters and Outputs to empty maps', () => {
    const template = parseTemplate('Resources:\n  Web:\n    Type: AWS::S3::Bucket\n')
    expect(template.Parameters).toEqual({})
    expect(template.Outputs).toEqual({})
  })

  it('reports malformed YAML with its line', () => {
    const error = templateError(() => parseTemplate('Resources:\n  Web:\n    Type: [AWS::S3::Bucket\n'))
    expect(error.message).toMatch(/^Template format error: YAML not well-formed\. \(line \d+, column \d+\)$/)
    expect(error.line).toBeGreaterThanOrEqual(3)
  })

  it('reports a bad indentation on the line where it happens', () => {
    const error = templateError(() => parseTemplate('Resources:\n  Web:\n    Type: AWS::S3::Bucket\n   Properties: {}\n'))
    expect(error.message).toMatch(/^Template format error: YAML not well-formed\. \(line 4, column \d+\)$/)
    expect(error.line).toBe(4)
  })

  it('reports malformed JSON with its line', () => {
    const error = templateError(() => parseTemplate('{\n  "Resources": {\n    "Web": {"Type": "AWS::S3::Bucket",}\n  }\n}'))
    expect(error.message).toMatch(/^Template format error: JSON not well-formed\. \(line 3, column \d+\)$/)
    expect(error.line).toBe(3)
  })

  it('requires at least one resource', () => {
    for (const body of ['Description: nothing here\n', 'Resources: {}\n', '{"Resources": {}}']) {
      expect(() => parseTemplate(body)).toThrow('Template format error: At least one Resources member must be defined.')
    }
  })

  it('requires a Type on every resource and points at it', () => {
    const error = templateError(() =>
      parseTemplate('Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Web:\n    Properties: {}\n'),
    )
    expect(error.message).toBe('Template format error: [/Resources/Web] Every Resources object must contain a Type member.')
    expect(error.line).toBe(4)
  })

  it('finds the line of a shape error in a JSON template too', () => {
    const error = templateError(() => parseTemplate('{\n  "Resources": {\n    "Web": {\n      "Properties": {}\n    }\n  }\n}'))
    expect(error.message).toBe('Template format error: [/Resources/Web] Every Resources object must contain a Type member.')
    expect(error.line).toBe(3)
  })

  it('refuses a misspelt resource attribute instead of ignoring it', () => {
    expect(() => parseTemplate('Resources:\n  Web:\n    Type: AWS::S3::Bucket\n    Propertes: {}\n')).toThrow(
      "Template format error: [/Resources/Web] Invalid template resource property 'Propertes'",
    )
  })

  it('requires Type on parameters and Value on outputs', () => {
    expect(() => parseTemplate('Parameters:\n  Env: {Default: x}\nResources:\n  Web: {Type: AWS::S3::Bucket}\n')).toThrow(
      'Template format error: [/Parameters/Env] Every Parameters object must contain a Type member.',
    )
    expect(() => parseTemplate('Resources:\n  Web: {Type: AWS::S3::Bucket}\nOutputs:\n  Url: {Description: x}\n')).toThrow(
      'Template format error: [/Outputs/Url] Every Outputs member must contain a Value object',
    )
  })

  it('refuses references to undeclared names at parse time, with the line', () => {
    const error = templateError(() =>
      parseTemplate(`Resources:
  Queue:
    Type: AWS::SQS::Queue
  Web:
    Type: AWS::S3::Bucket
    Properties:
      Name: !Sub '\${Missing}-\${AWS::Region}'
      Other: !Ref Nowhere
`),
    )
    expect(error.message).toBe(
      'Template format error: Unresolved resource dependencies [Missing, Nowhere] in the Resources block of the template',
    )
    expect(error.line).toBe(4)
  })

  it('refuses unresolved DependsOn, GetAtt, output and condition references', () => {
    const base = 'Resources:\n  Web:\n    Type: AWS::S3::Bucket\n'
    expect(() => parseTemplate(base + '    DependsOn: [Ghost]\n')).toThrow('Unresolved resource dependencies [Ghost] in the Resources block')
    expect(() => parseTemplate(base + '    Properties: {Arn: !GetAtt Ghost.Arn}\n')).toThrow(
      'Template error: instance of Fn::GetAtt references undefined resource Ghost',
    )
    expect(() => parseTemplate(base + 'Outputs:\n  Out: {Value: !Ref Ghost}\n')).toThrow(
      'Template format error: Unresolved resource dependencies [Ghost] in the Outputs block of the template',
    )
    expect(() => parseTemplate(base + '    Condition: Ghost\n')).toThrow('Unresolved condition dependencies [Ghost]')
    expect(() => parseTemplate(base + 'Conditions:\n  C: !Equals [!Ref Web, x]\n')).toThrow(
      'Template format error: Unresolved dependencies [Web]. Cannot reference resources in the Conditions block of the template',
    )
  })

  it('does not count Fn::Sub literals and local variables as references', () => {
    expect(() =>
      parseTemplate(`Resources:
  Web:
    Type: AWS::S3::Bucket
    Properties:
      Script: !Sub ['echo \${!HOME} \${Local}', {Local: !Ref AWS::Region}]
`),
    ).not.toThrow()
  })
})
