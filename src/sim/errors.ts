import type {SimService} from './types.js'
import {sdk} from '../aws/sdk.js'

const {AlreadyExistsException, CloudFormationServiceException, TokenAlreadyExistsException} = sdk.cloudFormation()
const {AlreadyExistsFault, AutoScalingServiceException, InvalidNextToken: AutoScalingInvalidNextToken} = sdk.autoScaling()
const {
  AssociationDoesNotExist,
  InvalidCommandId,
  InvalidDocument,
  InvalidFilterKey,
  InvalidInstanceId,
  InvalidInstanceInformationFilterValue,
  InvalidNextToken: SsmInvalidNextToken,
  InvalidParameters,
  InvalidSchedule,
  InvalidTarget,
  InvocationDoesNotExist,
  ParameterAlreadyExists,
  ParameterNotFound,
  ParameterVersionNotFound,
  ThrottlingException,
  ValidationException,
} = sdk.ssm()
const {ElasticLoadBalancingV2ServiceException, TargetGroupNotFoundException} = sdk.elbv2()

/**
 * The errors the simulated account throws: the SDK's own classes, modeled ones where the service
 * model has them, else the service's base class carrying the real error name (as the SDK's
 * deserializer does for unmodeled errors). The middleware stamps the request id.
 */
const metadata = () => ({httpStatusCode: 400})

export const cloudFormationErrors = {
  validation: (message: string) =>
    new CloudFormationServiceException({name: 'ValidationError', $fault: 'client', message, $metadata: metadata()}),
  alreadyExists: (stackName: string) =>
    new AlreadyExistsException({
      message: `Stack [${stackName}] already exists`,
      Message: `Stack [${stackName}] already exists`,
      $metadata: metadata(),
    }),
  tokenAlreadyExists: (message: string) =>
    new TokenAlreadyExistsException({message, Message: message, $metadata: metadata()}),
  invalidNextToken: () => cloudFormationErrors.validation('Invalid NextToken'),
}

export const autoScalingErrors = {
  validation: (message: string) =>
    new AutoScalingServiceException({name: 'ValidationError', $fault: 'client', message, $metadata: metadata()}),
  groupNotFound: (name: string) =>
    autoScalingErrors.validation(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`),
  alreadyExists: (message: string) => new AlreadyExistsFault({message, $metadata: metadata()}),
  invalidNextToken: () =>
    new AutoScalingInvalidNextToken({message: 'The token is not valid.', $metadata: metadata()}),
}

export const ssmErrors = {
  validation: (message: string) =>
    new ValidationException({message, Message: message, $metadata: metadata()}),
  invalidInstanceId: (message: string) =>
    new InvalidInstanceId({message, Message: message, $metadata: metadata()}),
  invalidDocument: (message: string) => new InvalidDocument({message, Message: message, $metadata: metadata()}),
  invalidParameters: (message: string) =>
    new InvalidParameters({message, Message: message, $metadata: metadata()}),
  invocationDoesNotExist: () =>
    new InvocationDoesNotExist({message: 'InvocationDoesNotExist', $metadata: metadata()}),
  invalidCommandId: () => new InvalidCommandId({message: 'InvalidCommandId', $metadata: metadata()}),
  invalidNextToken: () => {
    const message = 'The specified token is not valid.'
    return new SsmInvalidNextToken({message, Message: message, $metadata: metadata()})
  },
  invalidFilterKey: (message: string) => new InvalidFilterKey({message, $metadata: metadata()}),
  invalidFilterValue: (message: string) => new InvalidInstanceInformationFilterValue({message, $metadata: metadata()}),
  invalidSchedule: (message: string) => new InvalidSchedule({message, Message: message, $metadata: metadata()}),
  invalidTarget: (message: string) => new InvalidTarget({message, Message: message, $metadata: metadata()}),
  associationDoesNotExist: (message: string) => new AssociationDoesNotExist({message, Message: message, $metadata: metadata()}),
  parameterNotFound: (name: string) => new ParameterNotFound({message: `Parameter ${name} not found.`, $metadata: metadata()}),
  parameterVersionNotFound: (selector: string) =>
    new ParameterVersionNotFound({
      message: `Systems Manager could not find version ${selector} of the parameter. Verify the version and try again.`,
      $metadata: metadata(),
    }),
  parameterAlreadyExists: () =>
    new ParameterAlreadyExists({
      message: 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      $metadata: metadata(),
    }),
}

export const elbv2Errors = {
  validation: (message: string) =>
    new ElasticLoadBalancingV2ServiceException({name: 'ValidationError', $fault: 'client', message, $metadata: metadata()}),
  targetGroupNotFound: () =>
    new TargetGroupNotFoundException({message: 'One or more target groups not found', Message: 'One or more target groups not found', $metadata: metadata()}),
}

/** CloudFormation and Auto Scaling say `Throttling` ("Rate exceeded"); SSM says `ThrottlingException`. */
export function throttlingError(service: SimService): Error {
  const options = {message: 'Rate exceeded', $metadata: metadata()}
  const error =
    service === 'ssm'
      ? new ThrottlingException({...options, Message: 'Rate exceeded'})
      : service === 'cloudformation'
        ? new CloudFormationServiceException({...options, name: 'Throttling', $fault: 'client'})
        : service === 'elbv2'
          ? new ElasticLoadBalancingV2ServiceException({...options, name: 'Throttling', $fault: 'client'})
          : new AutoScalingServiceException({...options, name: 'Throttling', $fault: 'client'})
  error.$retryable = {throttling: true}
  return error
}

const SERVICE_TITLES: Record<SimService, string> = {
  cloudformation: 'CloudFormation',
  autoscaling: 'Auto Scaling',
  ssm: 'Systems Manager',
  elbv2: 'Elastic Load Balancing',
  cloudwatch: 'CloudWatch',
  sns: 'SNS',
  eventbridge: 'EventBridge',
}

/** A programming error in our own code, not something AWS would answer: it names the command. */
export class UnsupportedCommandError extends Error {
  override readonly name = 'UnsupportedCommandError'
  constructor(
    readonly service: SimService,
    readonly command: string,
    supported: readonly string[],
  ) {
    super(
      `The simulated AWS account does not support ${SERVICE_TITLES[service]} ${command}` +
        ` (supported: ${supported.join(', ')})`,
    )
  }
}
