import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { PagedSource } from '../paged'
import { ErrorBox } from './feedback'

const OVERSCAN = 10

// Preact 11 no longer appends 'px' to numbers in style objects: units are explicit here.

/**
 * A list that renders only the rows in sight (fixed row height), and asks
 * its source for the pages those rows are on: 20,000 rows cost as much as
 * forty.
 */
export function VirtualList<T> ({ source, rowHeight = 30, height = 480, header, row, label }: {
  source: PagedSource<T>
  rowHeight?: number
  height?: number
  header?: ComponentChildren
  row: (item: T | undefined, index: number) => ComponentChildren
  label: string
}) {
  const box = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [, redraw] = useState(0)
  useEffect(() => source.subscribe(() => redraw(n => n + 1)), [source])
  useEffect(() => {
    if (box.current !== null) box.current.scrollTop = 0
    setScrollTop(0)
  }, [source])
  const viewport = Math.min(height, Math.max(rowHeight, source.total * rowHeight))
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN)
  const last = Math.min(source.total, Math.ceil((scrollTop + viewport) / rowHeight) + OVERSCAN)
  useEffect(() => source.ensure(first, last), [source, first, last])
  const rows: ComponentChildren[] = []
  for (let i = first; i < last; i++) {
    rows.push(<div class="vrow" role="row" key={i} aria-rowindex={i + 1} style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}>{row(source.get(i), i)}</div>)
  }
  return (
    <div class="vlist" role="table" aria-label={label} aria-rowcount={source.total}>
      {header !== undefined && <div class="vhead" role="row">{header}</div>}
      <div class="vscroll" ref={box} style={{ height: `${viewport + 2}px` }} onScroll={e => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}>
        <div class="vspace" style={{ height: `${source.total * rowHeight}px` }}>{rows}</div>
      </div>
      {source.error !== undefined && <ErrorBox error={source.error} />}
    </div>
  )
}
