// The scripted model's decision: given a chat-completions request and a script, what the assistant says next.
// Pure (no I/O), so a rule table is easy to reason about and the server stays a thin wire adapter.
//
// A script is {name, rules: [...], default?}. A rule: {match, reply} or {match, steps: [...]}, where
//   match    {contains: "text"} | {regex: "source", flags?: "i"} | {always: true}, tested on the sender's text of
//            the user turn, or on the raw turn (OpenClaw's envelope included) with on: "raw";
//   reply    a template: the final text;
//   steps    an ordered list; each step is {reply: template} or {tool: {name, arguments}} whose string values are
//            templates too (arguments given as one string: a template of the raw JSON text). Step k runs when the conversation holds k tool results after the last user message,
//            so the model is stateless: the request alone says where in the script the run is.
//   delayMs  optional wait before answering (to test timeouts and concurrency).
// Templates: {{user}} the sender's text, {{raw}} the whole user turn, {{1}}…{{9}} regex groups, {{tool}} the last tool result's text,
// {{tool.json.some.path}} a field of it parsed as JSON, {{name}} the server's name.

/** Text of a message's content (a string, or OpenAI content parts). */
export function contentText(content) {
  if (typeof content === 'string') return content
  if (Array.isArray(content))
    return content.map((p) => (typeof p === 'string' ? p : typeof p?.text === 'string' ? p.text : '')).join('')
  return ''
}

// OpenClaw wraps what the sender wrote: a leading "[date] " stamp and "Conversation info" JSON block, a trailing
// "Runtime: …" line, and a separate user message of internal context. {{user}} is the sender's own text without
// them; {{raw}} and rules with on: "raw" see everything (so a rule can match the authenticated sender, say).
const INTERNAL = '<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>'
export function senderText(raw) {
  let t = raw
  t = t.replace(/^\[[^\]\n]{4,40}\] /, '')
  t = t.replace(/^Conversation info: \S*\n```json\n[\s\S]*?\n```\n\n/, '')
  t = t.replace(/\n\nRuntime: agent=[^\n]*$/, '')
  return t.trim()
}

const isUser = (m) => m?.role === 'user'
const isInternal = (m) => isUser(m) && contentText(m.content).startsWith(INTERNAL)

/**
 * Where the run is: the user turn (the last user message the sender wrote, with the user messages around it) and
 * the tool results since. OpenClaw appends its internal-context message after tool results too, so that one is
 * not where the turn starts.
 */
export function turnOf(messages) {
  let anchor = -1
  for (let i = messages.length - 1; i >= 0; i--) {
    if (isUser(messages[i]) && !isInternal(messages[i])) {
      anchor = i
      break
    }
  }
  let first = anchor
  while (first > 0 && isUser(messages[first - 1])) first--
  let last = anchor
  while (anchor >= 0 && last + 1 < messages.length && isUser(messages[last + 1])) last++
  const turn = anchor >= 0 ? messages.slice(first, last + 1) : []
  const raw = turn.map((m) => contentText(m.content)).join('\n\n')
  const user = turn
    .filter((m) => !isInternal(m))
    .map((m) => senderText(contentText(m.content)))
    .join('\n\n')
  const toolResults = messages
    .slice(anchor + 1)
    .filter((m) => m?.role === 'tool')
    .map((m) => contentText(m.content))
  return {raw, user, toolResults}
}

function matches(match, turn) {
  const text = match?.on === 'raw' ? turn.raw : turn.user
  if (!match || match.always) return match?.always ? [text] : null
  if (typeof match.contains === 'string') return text.includes(match.contains) ? [text] : null
  if (typeof match.regex === 'string') return new RegExp(match.regex, match.flags ?? '').exec(text)
  return null
}

function lookup(value, dotted) {
  let cur = value
  for (const key of dotted.split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = cur[key]
  }
  return cur
}

/** Fills {{…}} placeholders; unknown ones stay visible so a broken script shows in the reply. */
export function fill(template, vars) {
  return String(template).replace(/\{\{([^{}]+)\}\}/g, (whole, key) => {
    const k = key.trim()
    if (k === 'user') return vars.user
    if (k === 'raw') return vars.raw ?? ''
    if (k === 'name') return vars.name
    if (/^[0-9]$/.test(k)) return vars.groups?.[Number(k)] ?? ''
    if (k === 'tool') return vars.tool ?? ''
    if (k.startsWith('tool.json')) {
      let parsed
      try {
        parsed = JSON.parse(vars.tool ?? '')
      } catch {
        return whole
      }
      const v = lookup(parsed, k.slice('tool.json'.length))
      return v === undefined ? whole : typeof v === 'string' ? v : JSON.stringify(v)
    }
    return whole
  })
}

function fillDeep(value, vars) {
  if (typeof value === 'string') return fill(value, vars)
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, vars))
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v, vars)]))
  return value
}

/**
 * The next assistant action for a request: {kind: "text", text} or {kind: "tool", name, arguments (a JSON string),
 * id}, plus the rule that decided it (index, or "default") and its delay.
 */
export function decide(script, body) {
  const messages = Array.isArray(body?.messages) ? body.messages : []
  const turn = turnOf(messages)
  const {user, raw, toolResults} = turn
  const name = script?.name ?? 'scripted-model'
  const rules = Array.isArray(script?.rules) ? script.rules : []
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]
    const groups = matches(rule.match, turn)
    if (!groups) continue
    const steps = Array.isArray(rule.steps) ? rule.steps : [{reply: rule.reply ?? ''}]
    // Past the last step the script has nothing more to say: repeat the final step rather than loop on tools.
    const step = steps[Math.min(toolResults.length, steps.length - 1)]
    const vars = {user, raw, name, groups, tool: toolResults.at(-1)}
    const delayMs = Number(rule.delayMs ?? 0)
    if (step.tool && toolResults.length < steps.length) {
      // Arguments as a string are a template for the raw JSON text (the wire carries a string anyway).
      const args =
        typeof step.tool.arguments === 'string'
          ? fill(step.tool.arguments, vars)
          : JSON.stringify(fillDeep(step.tool.arguments ?? {}, vars))
      return {
        rule: i,
        delayMs,
        kind: 'tool',
        id: `call_${i}_${toolResults.length}`,
        name: fill(step.tool.name, vars),
        arguments: args,
      }
    }
    return {rule: i, delayMs, kind: 'text', text: fill(step.reply ?? '', vars)}
  }
  const fallback = script?.default ?? 'reply from {{name}}: {{user}}'
  return {rule: 'default', delayMs: 0, kind: 'text', text: fill(fallback, {user, raw, name, tool: toolResults.at(-1)})}
}

/** A deterministic token estimate (about four characters a token), so usage numbers are stable across runs. */
export function estimateTokens(text) {
  return Math.max(1, Math.ceil(String(text).length / 4))
}
