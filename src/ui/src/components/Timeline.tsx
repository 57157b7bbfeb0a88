import { useEffect, useRef, useState } from 'preact/hooks'
import type { Timeline as TimelineData } from '../api'
import { isoOf, when } from '../format'

const HEIGHT = 120
const AXIS = 18

/**
 * Writes (up) and deletes (down) over time, one bar per bin, drawn as plain
 * SVG: a few hundred rects need no charting library. Clicking a bin picks
 * the end of that bin, so the view then includes everything written in it.
 */
export function Timeline ({ data, at, onPick }: { data: TimelineData, at?: number, onPick: (iso: string) => void }) {
  const box = useRef<HTMLDivElement>(null)
  const [width, setWidth] = useState(800)
  const [hover, setHover] = useState<number | undefined>()
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
  const pick = (e: MouseEvent): void => {
    const rect = (e.currentTarget as SVGElement).getBoundingClientRect()
    const i = Math.min(n - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * n)))
    onPick(isoOf(binEnd(i)))
  }
  const hovered = hover === undefined ? undefined : data.bins[hover]
  return (
    <div class="timeline" ref={box}>
      <svg width={width} height={HEIGHT} role="img" aria-label={`activity: ${data.total.writes} writes and ${data.total.deletes} deletes from ${when(data.from)} to ${when(data.to)}; click to view that time`}
        onClick={pick} onMouseMove={e => {
          const rect = (e.currentTarget as SVGElement).getBoundingClientRect()
          setHover(Math.min(n - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * n))))
        }} onMouseLeave={() => setHover(undefined)}>
        <line x1={0} x2={width} y1={mid} y2={mid} class="baseline" />
        {data.bins.map((b, i) => (
          <g key={i}>
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
          ? <span class="hoverinfo"> · {when(hovered.t)}: {hovered.writes} writes, {hovered.deletes} deletes (click to view the bucket just after)</span>
          : <span class="hoverinfo"> · {data.total.writes} writes, {data.total.deletes} deletes; click a bar to travel there</span>}
      </div>
    </div>
  )
}
