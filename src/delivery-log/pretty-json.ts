/**
 * A webhook body indented for reading, token by token: numbers, strings and escapes stay exactly
 * as the platform sent them (JSON.parse would round ids past 2^53). Text that is not JSON is
 * returned as it is. Pure; the dashboard escapes the result when it renders it.
 */
export function prettyJson(text: string, indent = '  '): string {
  try {
    JSON.parse(text)
  } catch {
    return text
  }
  let out = ''
  let depth = 0
  let inString = false
  const newline = () => `\n${indent.repeat(depth)}`
  for (let at = 0; at < text.length; at++) {
    const char = text[at]
    if (inString) {
      out += char
      if (char === '\\') out += text[++at]
      else if (char === '"') inString = false
      continue
    }
    switch (char) {
      case '"':
        inString = true
        out += char
        break
      case '{':
      case '[': {
        // An empty object or array stays on one line.
        const next = text.slice(at + 1).trimStart()[0]
        if (next === '}' || next === ']') {
          out += char + next
          at = text.indexOf(next, at + 1)
        } else {
          depth++
          out += char + newline()
        }
        break
      }
      case '}':
      case ']':
        depth--
        out += newline() + char
        break
      case ',':
        out += char + newline()
        break
      case ':':
        out += ': '
        break
      case ' ':
      case '\t':
      case '\n':
      case '\r':
        break
      default:
        out += char
    }
  }
  return out
}
