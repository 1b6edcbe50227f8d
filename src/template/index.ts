/** The CloudFormation template engine: pure functions, no I/O, no AWS SDK. */
export {TemplateError} from './types.js'
export type {CfnParameter, CfnResource, CfnTemplate, EvaluationContext} from './types.js'
export {parseTemplate} from './parse.js'
export {resolveParameters, summarizeTemplate} from './parameters.js'
export {creationOrder, dependenciesOf, evaluate, evaluateCondition, validateReferences} from './intrinsics.js'
