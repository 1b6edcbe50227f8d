#!/usr/bin/env node
// The SDK warns on every run that its releases after January 2027 will need Node 22. We support
// Node >= 20.19 on purpose; the notice belongs in our docs, not in every release manager's log.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
