import { useEffect, useRef, useState } from 'preact/hooks'
import type { Timeline as TimelineData } from '../api'
import { counted, isoOf, when } from '../format'

const HEIGHT = 120
const AXIS = 18
/** A press that moves less than this is a click; more is a drag. */
const DRAG_PX = 4
/** The narrowest window a drag zooms to: S3 stamps whole seconds. */
const MIN_ZOOM_MS = 1000

/**
 * Writes (up) and deletes (down) over time, one bar per bin, drawn as plain
 * SVG: a few hundred rects need no charting library. Clicking a bin picks
 * the end of that bin, so the view then includes everything written in it;
 * dragging (more than a few pixels) zooms in on the stretch dragged over. A
 * cursor marks the time being viewed; when that time is outside the window,
 * an arrow at the edge says which way it lies.
 */
export function Timeline ({ data, at, onPick, onZoom }: {
  data: TimelineData
  /** The time being viewed; undefined for latest. */
  at?: number
  onPick: (iso: string) => void
  onZoom?: (from: string, to: string) => void
}) {
  const box = useRef<HTMLDivElement>(null)
  const [width, setWidth] = useState(800)
  const [hover, setHover] = useState<number | undefined>()
  const [press, setPress] = useState<{ x: number, now: number } | undefined>()
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
  const span = n * data.binMs
  const barW = width / n
  const peak = Math.max(1, ...data.bins.map(b => Math.max(b.writes, b.deletes)))
  const mid = (HEIGHT - AXIS) / 2
  const scale = (mid - 4) / peak
  const binEnd = (i: number): number => Math.min(to, from + (i + 1) * data.binMs - 1000)
  const xOf = (t: number): number => Math.max(0, Math.min(width, ((t - from) / span) * width))
  const timeAt = (x: number): number => from + (Math.max(0, Math.min(width, x)) / width) * span
  const localX = (e: PointerEvent): number => e.clientX - (e.currentTarget as SVGElement).getBoundingClientRect().left
  const binOf = (x: number): number => Math.min(n - 1, Math.max(0, Math.floor((x / width) * n)))
  const release = (e: PointerEvent): void => {
    if (press === undefined) return
    const x = localX(e)
    setPress(undefined)
    if (Math.abs(x - press.x) < DRAG_PX) {
      onPick(isoOf(binEnd(binOf(x))))
      return
    }
    const [lo, hi] = [timeAt(Math.min(x, press.x)), timeAt(Math.max(x, press.x))]
    // Too narrow to zoom: a drag that changes nothing rather than a click that travels.
    if (onZoom === undefined || hi - lo < MIN_ZOOM_MS) return
    onZoom(isoOf(Math.floor(lo / 1000) * 1000), isoOf(Math.ceil(hi / 1000) * 1000))
  }
  const hovered = hover === undefined ? undefined : data.bins[hover]
  const dragged = press === undefined || Math.abs(press.now - press.x) < DRAG_PX
    ? undefined
    : [Math.min(press.x, press.now), Math.max(press.x, press.now)]
  // Latest looks like any time after the last write: the window's end stands for it if nothing came after.
  const latestAtEnd = at === undefined && (data.last === null || Date.parse(data.last) <= to)
  const cursor = at ?? (latestAtEnd ? Math.min(to, Date.parse(data.now)) : Date.parse(data.now))
  const where = cursor < from ? 'before' : cursor > to ? 'after' : 'inside'
  return (
    <div class="timeline" ref={box}>
      <svg width={width} height={HEIGHT} role="img" aria-label={`activity: ${counted(data.total.writes, 'write')} and ${counted(data.total.deletes, 'delete')} from ${when(data.from)} to ${when(data.to)}; click to view that time, drag to zoom`}
        onPointerDown={e => { const x = localX(e); setPress({ x, now: x }) }} onPointerUp={release}
        onPointerMove={e => { const x = localX(e); setHover(binOf(x)); if (press !== undefined) setPress({ ...press, now: x }) }}
        onPointerLeave={() => { setHover(undefined); setPress(undefined) }}>
        <line x1={0} x2={width} y1={mid} y2={mid} class="baseline" />
        {dragged !== undefined && <rect x={dragged[0]} y={0} width={dragged[1] - dragged[0]} height={HEIGHT - AXIS} class="dragbin" />}
        {data.bins.map((b, i) => (
          <g key={i}>
            {hover === i && press === undefined && <rect x={i * barW} y={0} width={Math.max(1, barW)} height={HEIGHT - AXIS} class="hoverbin" />}
            {b.writes > 0 && <rect class="writes" x={i * barW + 0.5} width={Math.max(1, barW - 1)} y={mid - b.writes * scale} height={b.writes * scale} />}
            {b.deletes > 0 && <rect class="deletes" x={i * barW + 0.5} width={Math.max(1, barW - 1)} y={mid} height={b.deletes * scale} />}
          </g>
        ))}
        {where === 'inside'
          ? <>
              <line class="cursor" data-at={at === undefined ? 'latest' : isoOf(cursor)} x1={xOf(cursor)} x2={xOf(cursor)} y1={0} y2={HEIGHT - AXIS} />
              {at === undefined && <text class="cursor-label" x={xOf(cursor) - 4} y={12} text-anchor="end">latest</text>}
            </>
          : <text class="cursor-off" data-at={isoOf(cursor)} x={where === 'before' ? 4 : width - 4} y={12} text-anchor={where === 'before' ? 'start' : 'end'}>
              {where === 'before' ? '◀ viewing an earlier time' : `viewing ${at === undefined ? 'latest' : 'a later time'} ▶`}
            </text>}
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
