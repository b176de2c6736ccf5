import {
  errorDocumentSchema,
  execSecretResponseSchema,
  jsonSchemas,
  type JsonCommandId,
} from '../../src/core/common/json-schemas.js'

/** The command id for a command class: `PeerAdd` → `peer:add` (json-schemas.test.ts checks the convention holds). */
export function commandIdOfClass(className: string): JsonCommandId | 'secrets:resolve' | undefined {
  const key = className.toLowerCase()
  if (key === 'secretsresolve') return 'secrets:resolve'
  return (Object.keys(jsonSchemas) as JsonCommandId[]).find((id) => id.replace(':', '') === key)
}

/** Throws, naming the field, when `stdout` is not exactly one document matching the command's schema. */
export function checkJsonDocument(className: string, stdout: string): void {
  const id = commandIdOfClass(className)
  if (!id)
    throw new Error(`no --json schema for command class ${className} (add it to src/core/common/json-schemas.ts)`)
  const doc = JSON.parse(stdout) as {ok?: boolean; error?: unknown}
  const schema =
    id === 'secrets:resolve'
      ? execSecretResponseSchema
      : doc.ok === false && typeof doc.error === 'object'
        ? errorDocumentSchema
        : jsonSchemas[id]
  const result = schema.safeParse(doc)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new Error(`${id} --json does not match its schema at ${issue.path.join('.') || '(root)'}: ${issue.message}`)
  }
}
