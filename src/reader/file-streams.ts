import type { Part } from './files.js'
import { Readahead, type ReadaheadOptions } from './readahead.js'

/**
 * How far past another handle's stream a read may start and still join it.
 * A reader that catches up with the one in front asks for the pages past
 * those being read, its kernel readahead (1 MiB on a mount) at a time. A
 * read further on is a reader of its own (a client's ranged GETs of one
 * object's parts start 8 MiB apart), and joining it would only make the two
 * take turns restarting the stream.
 */
const JOIN_AHEAD = 2 * 1024 * 1024

/** One sequential stream through a file, which any open handle of the file may continue. */
export class FileStream {
  readonly readahead: Readahead
  /** Its readahead GETs still waiting for a slot, and its paced GET: the block cache's key for them. */
  readonly queued = new Set<Part>()
  /** Bytes its reads have taken of each block they have not read whole. */
  readonly taken = new Map<number, number>()
  /** Where it began. */
  from = 0
  /** Handles reading through it now. */
  users = 0

  constructor (opts: ReadaheadOptions) {
    this.readahead = new Readahead(opts)
  }
}

/**
 * The streams of every open file, shared by the file's handles. The kernel's
 * page cache gives a page to every reader of a file once one of them has
 * read it, so several processes reading one file send FUSE a single trail of
 * misses, each read through whichever handle reached the page first: the
 * reader in front changes all the time. Were streams per handle, each change
 * would land a read far past that handle's last one, restart its stream with
 * a small window, and cost a GET per few reads (16 readers over 3 versions
 * made 597 to 1,182 ranged GETs instead of 6 to 41, and moto spent 5 to 12
 * times the CPU). A read that continues another handle's stream joins it instead.
 */
export class FileStreams {
  private readonly byFile = new Map<string, Set<FileStream>>()
  /** Streams of all open files. */
  count = 0

  constructor (private readonly opts: ReadaheadOptions) {}

  /**
   * The stream a handle now reading `fileId` at `offset` reads through:
   * its own if the read continues it; else one of the file's other streams
   * that the read continues, starting behind its furthest read or just past
   * it; else its own, restarted, if no other handle reads through it; else a
   * new one. The caller's stream is left when it changes; `abandoned` is
   * given a stream nobody reads through any more.
   */
  streamFor (fileId: string, own: FileStream | undefined, offset: number, abandoned: (s: FileStream) => void): FileStream {
    if (own?.readahead.continues(offset) === true) return own
    let next: FileStream | undefined
    for (const s of this.byFile.get(fileId) ?? []) {
      if (s !== own && s.readahead.continues(offset) && offset <= s.readahead.furthestEnd + JOIN_AHEAD) {
        next = s
        break
      }
    }
    if (next === undefined && own !== undefined && own.users === 1) return own
    if (own !== undefined) this.leave(fileId, own, abandoned)
    if (next === undefined) {
      next = new FileStream(this.opts)
      let streams = this.byFile.get(fileId)
      if (streams === undefined) this.byFile.set(fileId, streams = new Set())
      streams.add(next)
      this.count++
    }
    next.users++
    return next
  }

  /** A handle stops reading through `stream` (it closed, or moved to another). */
  leave (fileId: string, stream: FileStream, abandoned: (s: FileStream) => void): void {
    if (--stream.users > 0) return
    const streams = this.byFile.get(fileId)
    if (streams?.delete(stream) !== true) return
    this.count--
    if (streams.size === 0) this.byFile.delete(fileId)
    abandoned(stream)
  }
}
