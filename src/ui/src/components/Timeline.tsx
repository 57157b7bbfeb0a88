import { useEffect, useRef, useState } from 'preact/hooks'
import type { Timeline as TimelineData } from '../api'
import { counted, isoOf, when } from '../format'

const HEIGHT = 120
const AXIS = 18

/**
 * Writes (up) and deletes (down) over time, one bar per bin, drawn as plain
 * SVG: a few hundred rects need no charting library. Clicking a bin picks
 * the end of that bin, so the view then includes everything written in it;
 * dragging across bins zooms in on them.
 */
export function Timeline ({ data, at, onPick, onZoom }: {
  data: TimelineData
  at?: number
  onPick: (iso: string) => void
  onZoom?: (from: string, to: string) => void
}) {
  const box = useRef<HTMLDivElement>(null)
  const [width, setWidth] = useState(800)
  const [hover, setHover] = useState<number | undefined>()
  const [dragFrom, setDragFrom] = useState<number | undefined>()
  useEffect(() => {
    const el = box.current
    if (el === null) return
    const ro = new ResizeObserver(() => setWidth(Math.max(200, el.clientWidth)))
    ro.observe(el)
    return () => ro.disconnect()
  }, [])
  const from = Date.parse(data.from)
  const to = Date.parse(data.to)
  const n = data.bins.length
  const barW = width / n
  const peak = Math.max(1, ...data.bins.map(b => Math.max(b.writes, b.deletes)))
  const mid = (HEIGHT - AXIS) / 2
  const scale = (mid - 4) / peak
  const binEnd = (i: number): number => Math.min(to, from + (i + 1) * data.binMs - 1000)
  const xOf = (t: number): number => Math.max(0, Math.min(width, ((t - from) / (n * data.binMs)) * width))
  const binAt = (e: MouseEvent): number => {
    const rect = (e.currentTarget as SVGElement).getBoundingClientRect()
    return Math.min(n - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * n)))
  }
  const release = (e: MouseEvent): void => {
    const i = binAt(e)
    const start = dragFrom ?? i
    setDragFrom(undefined)
    if (start === i || onZoom === undefined) {
      onPick(isoOf(binEnd(i)))
      return
    }
    const [lo, hi] = start < i ? [start, i] : [i, start]
    onZoom(isoOf(from + lo * data.binMs), isoOf(binEnd(hi)))
  }
  const hovered = hover === undefined ? undefined : data.bins[hover]
  return (
    <div class="timeline" ref={box}>
      <svg width={width} height={HEIGHT} role="img" aria-label={`activity: ${counted(data.total.writes, 'write')} and ${counted(data.total.deletes, 'delete')} from ${when(data.from)} to ${when(data.to)}; click to view that time`}
        onMouseDown={e => setDragFrom(binAt(e))} onMouseUp={release}
        onMouseMove={e => setHover(binAt(e))} onMouseLeave={() => { setHover(undefined); setDragFrom(undefined) }}>
        <line x1={0} x2={width} y1={mid} y2={mid} class="baseline" />
        {data.bins.map((b, i) => (
          <g key={i}>
            {dragFrom !== undefined && hover !== undefined && i >= Math.min(dragFrom, hover) && i <= Math.max(dragFrom, hover) &&
              <rect x={i * barW} y={0} width={Math.max(1, barW)} height={HEIGHT - AXIS} class="dragbin" />}
            {hover === i && <rect x={i * barW} y={0} width={Math.max(1, barW)} height={HEIGHT - AXIS} class="hoverbin" />}
            {b.writes > 0 && <rect class="writes" x={i * barW + 0.5} width={Math.max(1, barW - 1)} y={mid - b.writes * scale} height={b.writes * scale} />}
            {b.deletes > 0 && <rect class="deletes" x={i * barW + 0.5} width={Math.max(1, barW - 1)} y={mid} height={b.deletes * scale} />}
          </g>
        ))}
        {at !== undefined && at >= from && <line class="cursor" x1={xOf(at)} x2={xOf(at)} y1={0} y2={HEIGHT - AXIS} />}
        <text x={2} y={HEIGHT - 4} class="axis">{when(data.from)}</text>
        <text x={width - 2} y={HEIGHT - 4} class="axis" text-anchor="end">{when(data.to)}</text>
      </svg>
      <div class="timeline-legend">
        <span class="key writes" /> writes <span class="key deletes" /> deletes
        {hovered !== undefined
          ? <span class="hoverinfo"> · {when(hovered.t)}: {counted(hovered.writes, 'write')}, {counted(hovered.deletes, 'delete')} (click to view the bucket just after)</span>
          : <span class="hoverinfo"> · {counted(data.total.writes, 'write')}, {counted(data.total.deletes, 'delete')}; click a bar to travel there, drag across bars to zoom</span>}
      </div>
    </div>
  )
}
