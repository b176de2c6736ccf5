import {describe, expect, it} from 'vitest'
import {renderTemplateText} from '../../src/infra/template-files.js'

describe('renderTemplateText', () => {
  it.each<[string, string, Record<string, unknown>, string]>([
    ['values and dotted paths', 'Hi {{self.name}} ({{count}})', {self: {name: 'nova'}, count: 2}, 'Hi nova (2)'],
    ['missing values render empty', '[{{nope}}]', {}, '[]'],
    [
      'a list section repeats per item',
      '{{#peers}}- {{name}}\n{{/peers}}',
      {peers: [{name: 'a'}, {name: 'b'}]},
      '- a\n- b\n',
    ],
    ['items see the outer scope', '{{#peers}}{{name}}@{{host}} {{/peers}}', {host: 'h', peers: [{name: 'a'}]}, 'a@h '],
    ['an inverted section renders when empty', '{{#peers}}x{{/peers}}{{^peers}}none{{/peers}}', {peers: []}, 'none'],
    ['an inverted section is skipped when not empty', '{{^peers}}none{{/peers}}', {peers: [1]}, ''],
  ])('%s', (_title, text, data, expected) => {
    expect(renderTemplateText(text, data)).toBe(expected)
  })
})
