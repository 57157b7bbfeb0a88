/** S3's XML namespace, on every result document. */
const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/'

/**
 * Escapes text for an XML element. Control characters, which XML 1.0 cannot
 * carry even escaped, become numeric references as S3 writes them; clients
 * that need such keys ask for encoding-type=url.
 */
export function escapeXml (text: string): string {
  return text.replace(/[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, c => {
    switch (c) {
      case '&': return '&amp;'
      case '<': return '&lt;'
      case '>': return '&gt;'
      case '"': return '&quot;'
      case '\'': return '&apos;'
      default: return `&#x${c.charCodeAt(0).toString(16)};`
    }
  })
}

/** An XML tree node: text, or an element with children; undefined children are left out. */
export type Node = string | number | boolean | Element | undefined
export interface Element { name: string, children: Node[] }

export function el (name: string, ...children: Node[]): Element {
  return { name, children }
}

function render (node: Node): string {
  if (node === undefined) return ''
  if (typeof node !== 'object') return escapeXml(String(node))
  return `<${node.name}>${node.children.map(render).join('')}</${node.name}>`
}

/** A whole document; the root element carries S3's namespace. */
export function xmlDocument (root: Element, namespace = true): string {
  const attrs = namespace ? ` xmlns="${S3_NS}"` : ''
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root.name}${attrs}>${root.children.map(render).join('')}</${root.name}>`
}
