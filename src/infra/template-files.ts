import {readFileSync} from 'node:fs'
import path from 'node:path'
import {packageRoot} from './package-root.js'

/**
 * A very small mustache subset for the files in `templates/`: `{{path.to.value}}`, sections
 * `{{#list}}…{{/list}}` (repeated per item, or once when truthy) and inverted sections `{{^list}}…{{/list}}`.
 * Values are inserted as they are: callers pass plain text, never secrets.
 */
type Scope = Record<string, unknown>

function lookup(scopes: Scope[], path: string): unknown {
  if (path === '.') return scopes[0]
  for (const scope of scopes) {
    let value: unknown = scope
    let found = true
    for (const key of path.split('.')) {
      if (value && typeof value === 'object' && key in (value as Scope)) value = (value as Scope)[key]
      else {
        found = false
        break
      }
    }
    if (found) return value
  }
  return undefined
}

function empty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === false ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  )
}

function renderWith(text: string, scopes: Scope[]): string {
  const section = /\{\{([#^])\s*([\w.]+)\s*\}\}\n?([\s\S]*?)\{\{\/\s*\2\s*\}\}\n?/g
  const expanded = text.replace(section, (_m, kind: string, name: string, body: string) => {
    const value = lookup(scopes, name)
    if (kind === '^') return empty(value) ? renderWith(body, scopes) : ''
    if (empty(value)) return ''
    const items: unknown[] = Array.isArray(value) ? value : [value]
    return items
      .map((item) => renderWith(body, [item && typeof item === 'object' ? (item as Scope) : {'.': item}, ...scopes]))
      .join('')
  })
  return expanded.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, name: string) => {
    const value = lookup(scopes, name)
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
    // A list prints as String() prints it; an object here is a template bug, not text to print.
    return Array.isArray(value) ? value.join(',') : ''
  })
}

export function renderTemplateText(text: string, data: Scope): string {
  return renderWith(text, [data])
}

/** The templates folder ships at the package root, beside dist/ (and src/ in development). */
export function templatePath(name: string): string {
  return path.join(packageRoot(), 'templates', name)
}

export function renderTemplate(name: string, data: Scope): string {
  return renderTemplateText(readFileSync(templatePath(name), 'utf8'), data)
}
