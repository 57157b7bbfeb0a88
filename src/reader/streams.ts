import { Deadlines } from './deadlines.js'
import type { CachedFile, Part } from './files.js'
import type { BlockFill } from './fill.js'
import type { Scheduler } from './scheduler.js'

/** How long a paced stream waits for its reader before it gives up its connection and GET slot. */
const STREAM_PAUSE_MS = 1000
/** A reader whose stream fell behind gets parts only for this long: its connection is slow (S3 limits each). */
const SLOW_STREAM_MS = 10_000
/** A stream's rate counts once this much came. */
const RATE_AFTER_BYTES = 2 * 1024 * 1024

/** A paced GET from a sequential reader's readahead to the end of its file (see PacedStreams). */
export interface Stream {
  /** Its blocks so far: `to` moves on as readahead asks for more. */
  part: Part
  owner: Set<Part>
  /** Block where its GET ends: the file's end, or where its reader said it stops. */
  last: number
  /** Set once its GET starts. */
  fill?: BlockFill
  /** Takes no more blocks: ended on purpose (then not a failure), or its GET is over. */
  over: boolean
  /** Withdraws the deadline of its latest wait for the reader. */
  unpause: () => void
  /** Ends its GET where it stands; set once the GET starts. */
  end: () => void
}

/** What the block cache does for its streams. */
export interface StreamHost {
  scheduler: Scheduler
  /** Blocks in a part. */
  partBlocks: number
  /** Bytes per second below which a stream is slow (see ReaderOptions.minStreamRate). */
  minRate: number
  /** Makes the pending blocks among [from, to) of the part's file the part's; true when a read waits for one. */
  claim: (part: Part, from: number, to: number) => boolean
  /** Queues a new stream's GET. */
  send: (part: Part, owner: Set<Part>, stream: Stream) => void
  /** Blocks [from, to) were given to a stream whose GET is under way (taken back when `to` is below `from`). */
  owe: (file: CachedFile, from: number, to: number) => void
  /** The blocks among [from, to) still pending as the part's. */
  pendingOf: (part: Part, from: number, to: number) => number[]
}

/**
 * Feeds each sequential reader through one GET that runs to the end of its
 * file, paced: it fills the blocks readahead asked for (up to its fill's
 * `allowed`), then its socket waits, so TCP holds S3 back and the blocks
 * the reader gives up are filled again rather than taken afresh. One
 * request, not one per part: a server pays for each (moto here 6 to 16 ms
 * of CPU per 8 MiB part; one paced GET halves its CPU per read).
 *
 * Readahead that starts where a stream's blocks end moves it on, unless it
 * reads slower than its host's `minRate` or is over a part behind its reader:
 * its connection is then slower than the reader (on S3 each is limited),
 * and parallel parts take over from the blocks it has not begun. Behind
 * the reader, not behind the readahead: a window of several parts always
 * asks for more than one connection has brought, and judging it by that
 * handed loopback's fast streams to parts. A stream
 * waiting for its reader lets its slot go as soon as another GET needs one,
 * when its reader closes or jumps, and after STREAM_PAUSE_MS in any case.
 */
export class PacedStreams {
  /** The stream of each file that has one, by file id. */
  private readonly streams = new Map<string, Stream>()
  /** When each reader's stream last fell behind it, by the reader's readahead owner. */
  private readonly slow = new WeakMap<Set<Part>, number>()
  /** The deadlines of streams waiting for their readers; a pause holds no process open. */
  private readonly pauses = new Deadlines(false)

  constructor (private readonly host: StreamHost) {
    // A stream waiting for its reader holds a slot another GET now needs.
    host.scheduler.onCrowded = () => {
      for (const s of this.streams.values()) if (s.fill?.waiting === true) s.end()
    }
  }

  /**
   * Gives blocks of a sequential reader's readahead (ascending, missing) to
   * its file's stream, or to a new one that runs up to block `last`; the
   * read that asked for them ends before block `readTo`. Returns the blocks
   * left for parts.
   */
  take (file: CachedFile, indices: number[], owner: Set<Part>, last: number, readTo: number): number[] {
    const first = indices[0]
    let run = 1
    while (run < indices.length && indices[run] === first + run && first + run < last) run++
    const s = this.streams.get(file.id)
    if (s !== undefined && !s.over && s.last >= last) {
      const at = s.fill?.next ?? s.part.from
      // A source that cannot wait mid-chunk fills past its bound (those blocks are cached): it goes on from where it is.
      if (first === Math.max(s.part.to, at)) {
        const rate = s.fill?.rate(RATE_AFTER_BYTES)
        if (readTo - at <= this.host.partBlocks && (rate === undefined || rate >= this.host.minRate)) {
          this.extend(s, first + run)
          return indices.slice(run)
        }
        this.slow.set(owner, Date.now())
        return [...this.shrink(s), ...indices]
      }
      // Reading elsewhere in the file: a stream waiting for its reader has lost it.
      if (s.fill?.waiting !== true) return indices
      s.end()
    }
    // Short files, slow connections, and GETs already waiting for slots (a stream would give its up at once) get parts.
    if (last - first < 2 * this.host.partBlocks || this.host.scheduler.crowded ||
      Date.now() - (this.slow.get(owner) ?? -Infinity) < SLOW_STREAM_MS) return indices
    const stream: Stream = { part: { file, from: first, to: first + run }, owner, last, over: false, unpause: () => {}, end: () => {} }
    this.streams.set(file.id, stream)
    this.host.send(stream.part, owner, stream)
    return indices.slice(run)
  }

  /** The stream's GET is over, or was never sent. */
  done (s: Stream): void {
    s.over = true
    if (this.streams.get(s.part.file.id) === s) this.streams.delete(s.part.file.id)
  }

  /** A part dropped before its GET started: if it was a stream's, the file has none. */
  dropped (part: Part): void {
    const s = this.streams.get(part.file.id)
    if (s?.part === part) this.done(s)
  }

  /** The owner's reader reads no more here (closed, or jumped): its stream stops waiting for it. */
  cancel (owner: Set<Part>): void {
    for (const s of this.streams.values()) if (s.owner === owner && s.fill?.waiting === true) s.end()
  }

  /** A stream's fill waits for its reader: it lets its slot go if another GET needs it, or after a while. */
  waiting (s: Stream): void {
    if (this.host.scheduler.crowded) {
      s.end()
      return
    }
    s.unpause()
    const due = Date.now() + STREAM_PAUSE_MS
    s.unpause = this.pauses.add(() => due, () => { if (s.fill?.waiting === true) s.end() })
  }

  /** Takes back the blocks of a stream under way that it has not begun, for parts: returns them. */
  private shrink (s: Stream): number[] {
    const { part, fill } = s
    if (fill === undefined) return []
    const keep = Math.min(part.to, fill.next + 1)
    const back = this.host.pendingOf(part, keep, part.to)
    this.host.owe(part.file, part.to, keep)
    part.to = keep
    fill.narrow(keep)
    return back
  }

  /** Gives a stream the blocks up to `to`. */
  private extend (s: Stream, to: number): void {
    const { part } = s
    const urgent = this.host.claim(part, part.to, to)
    if (s.fill !== undefined) this.host.owe(part.file, part.to, to)
    part.to = to
    s.fill?.allow(to)
    if (urgent && part.job !== undefined) this.host.scheduler.promote(part.job)
  }
}
